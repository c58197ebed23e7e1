"""Small atomic file primitives of the store: temp file + rename, fsync, stale staging cleanup, JSON."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from pathlib import Path, PurePosixPath

STAGING_PREFIXES = (".tmp-", ".trash-")     # hidden, so dataset readers never see them
STALE_AFTER_S = 24 * 3600                   # staging dirs of live processes older than this are removed too


def clean_staging(dataset_dir: Path) -> None:
    """Remove staging dirs left by crashed writers (dead pid, or older than STALE_AFTER_S)."""
    for child in dataset_dir.iterdir():
        if not child.name.startswith(STAGING_PREFIXES):
            continue
        pid = child.name.split("-")[1]
        stale = time.time() - child.stat().st_mtime > STALE_AFTER_S
        if stale or (pid.isdigit() and int(pid) != os.getpid() and not alive(int(pid))):
            shutil.rmtree(child, ignore_errors=True)


def atomic_write(path: Path, content: bytes | str, mode: int | None = None) -> Path:
    """Write a file via a hidden temp file + os.replace, so readers never see half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync(path.parent)
    return path


def write_batch(files: dict[Path, tuple[bytes | str, int | None]]) -> None:
    """Write many files atomically and durably at the cost of a few syncs, not two per file: every temp file is
    written, the file system is flushed once (syncfs; fsync per file where it is missing), then each temp file is
    renamed into place and each directory synced once. A crash leaves each file old or new, never partial."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, (content, mode) in sorted(files.items()):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex}.tmp")
            staged.append((tmp, path))
            tmp.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
            if mode is not None:
                os.chmod(tmp, mode)
        if staged and not _syncfs(staged[0][0].parent):
            for tmp, _ in staged:
                fsync(tmp)
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    for directory in sorted({p.parent for _, p in staged} | {p.parent.parent for _, p in staged},
                            key=lambda d: len(d.parts), reverse=True):
        fsync(directory)


def _syncfs(directory: Path) -> bool:
    """Flush the whole file system holding `directory` (Linux syncfs); False where it is not available."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(directory, os.O_RDONLY)
    try:
        return syncfs(fd) == 0
    finally:
        os.close(fd)


def relative_path(name: str) -> PurePosixPath:
    relative = PurePosixPath(name)
    if not name or relative.is_absolute() or ".." in relative.parts or relative.parts[0].startswith("."):
        raise ValueError(f"{name!r}: expected a relative path inside the warehouse")
    return relative


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dumps(data: dict) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def load_json(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path}: not valid JSON: {exc}") from exc
