"""Log lines on the CLI's own console: at the level asked for, one line each, printed above the progress display
(Prefect's console handler writes past rich's live display and would tear the bar)."""
from __future__ import annotations

import logging
from collections.abc import Callable

from rich.console import Console
from rich.markup import escape

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
CHATTY = ("great_expectations",)    # GX announces a temporary Data Docs directory on every validation
STYLE = {"WARNING": "yellow", "ERROR": "red", "CRITICAL": "bold red"}


class ConsoleLog(logging.Handler):
    """One line per record (the run or task it belongs to, then the message); tracebacks only at DEBUG."""

    def __init__(self, console: Console, level: int, reported: tuple[type[BaseException], ...] = ()):
        super().__init__(level)
        self.console, self.reported = console, reported
        self.setFormatter(logging.Formatter("%(message)s"))   # a formatted handler: Prefect's re-setup keeps it
        self.addFilter(self._not_reported)

    def _not_reported(self, record: logging.LogRecord) -> bool:
        """Failures the CLI reports itself in one line (a refused lock, a bad sources file) are not logged twice."""
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and isinstance(error, self.reported):
            return False
        text = record.getMessage()
        return not any(f"{kind.__name__}:" in text or f"{kind.__name__}(" in text for kind in self.reported)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                if self.level <= logging.DEBUG:
                    text += "\n" + logging.Formatter().formatException(record.exc_info)
                elif str(error) not in text:
                    text += f" ({type(error).__name__}: {error})"
            where = getattr(record, "task_run_name", None) or getattr(record, "flow_run_name", None) or record.name
            style = STYLE.get(record.levelname, "dim")
            self.console.print(f"[{style}]{record.levelname.lower()}[/] {escape(str(where))}: {escape(text)}",
                               highlight=False, soft_wrap=True)
        except Exception:
            self.handleError(record)


class StageWatch(logging.Handler):
    """Calls back with each stage task that begins or finishes (from Prefect's run loggers, before any level
    filter of the console), so the progress display can name the stage a run is in."""

    def __init__(self, callback: Callable[[str, str], None]):
        super().__init__(logging.DEBUG)
        self.callback = callback

    def emit(self, record: logging.LogRecord) -> None:
        try:
            task = getattr(record, "task_name", None)
            text = record.getMessage()
            if task and text.startswith("Finished in state"):
                self.callback(task, "finished")
            elif task and text.startswith("Beginning subflow run"):
                self.callback(str(getattr(record, "task_run_name", task)), "began")
            elif getattr(record, "flow_name", None) and text.startswith("Beginning flow run"):
                self.callback(str(record.flow_name), "began")
        except Exception:
            self.handleError(record)


def route_logs(console: Console, level: str, reported: tuple[type[BaseException], ...] = ()) -> ConsoleLog:
    """Replace Prefect's console handler by ConsoleLog at `level`; quiet the chatty libraries below WARNING."""
    number = logging.getLevelName(level.upper())
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler).__name__ in ("PrefectConsoleHandler", "ConsoleLog"):
            root.removeHandler(handler)
    handler = ConsoleLog(console, number, reported)
    root.addHandler(handler)
    if number <= logging.DEBUG:
        logging.getLogger("prefect").setLevel(logging.DEBUG)
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(logging.WARNING, number))
    return handler


def watch_stages(callback: Callable[[str, str], None]) -> Callable[[], None]:
    """Attach a StageWatch to Prefect's run loggers; returns the function that detaches it."""
    watch = StageWatch(callback)
    loggers = [logging.getLogger(n) for n in ("prefect.task_runs", "prefect.flow_runs")]
    for logger in loggers:
        logger.addHandler(watch)

    def detach() -> None:
        for logger in loggers:
            logger.removeHandler(watch)
    return detach
