"""Computed versions: a hash of the code and data files extraction (or a release) reads, so no one bumps a number."""
from __future__ import annotations

import ast
import hashlib
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]     # the project directory holding tasks/
# What per-document extraction runs: process.py and everything it imports (transitively) from tasks.
EXTRACTOR_ENTRIES = ("tasks.extraction.process",)
# What a release additionally runs: the batch suites and quarantine, then reconcile/derive/validate.
RELEASE_ENTRIES = ("tasks.quality.gate", "tasks.publish.release")
RELEASE_DATA = ("expectations",)               # GX suites generated from the catalogue, read by the gate
SYSTEM_DATA = ("tasks/cleaning/charfold.yaml",)  # YAML files naming system data files (Unihan) read by cleaning


def module_path(name: str, root: Path) -> Path | None:
    """The source file of a tasks.* module (a package's __init__.py), or None when it is not one."""
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(path: Path, name: str) -> set[str]:
    """tasks.* modules one source file imports (absolute or relative, function-level imports included)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in _nodes(path):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in found if m == "tasks" or m.startswith("tasks.")}


def _nodes(path: Path) -> list[ast.AST]:
    """Import and string-constant nodes of a source file (parsed once per file version)."""
    stat = path.stat()
    return _parsed(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _parsed(path: str, _mtime: int, _size: int) -> list[ast.AST]:
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom, ast.Constant))]


def module_closure(entries: tuple[str, ...], root: Path) -> dict[str, Path]:
    """Every tasks.* module the entries import, transitively, with its parent packages: name -> source file."""
    seen: dict[str, Path] = {}
    todo = list(entries)
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts)):
            todo.append(".".join(parts[:i]))
        if name in seen:
            continue
        path = module_path(name, root)
        if path is None:
            continue
        seen[name] = path
        todo += sorted(imported_modules(path, name) - set(seen))
    return seen


def data_files_of(path: Path) -> set[Path]:
    """YAML/JSON files a module names as string literals that exist next to it (Path(__file__).with_name(...))."""
    out = set()
    for node in _nodes(path):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value.endswith((".yaml", ".yml", ".json")) and "/" not in node.value:
            candidate = path.with_name(node.value)
            if candidate.is_file():
                out.add(candidate)
    return out


def system_files(root: Path | None = None) -> set[Path]:
    """The installed system data files cleaning reads (the first present of each list, as charfold picks)."""
    root = Path(root or ROOT)
    out = set()
    for rel in SYSTEM_DATA:
        data = yaml.safe_load((root / rel).read_text(encoding="utf-8")) or {}
        for key in ("data_files", "radical_files"):
            present = [Path(p) for p in data.get(key, []) if Path(p).is_file()]
            out |= set(present[:1])
    return out


def extractor_files(root: Path | None = None) -> list[Path]:
    """Source and data files per-document extraction reads: the import closure of process.py and their YAML."""
    root = Path(root or ROOT)
    modules = module_closure(EXTRACTOR_ENTRIES, root)
    files = set(modules.values())
    for path in modules.values():
        files |= data_files_of(path)
    return sorted(files | system_files(root))


def release_files(root: Path | None = None) -> list[Path]:
    """Files a release build reads besides the extractor's: gate, suites, publish code and their data."""
    root = Path(root or ROOT)
    modules = module_closure(RELEASE_ENTRIES, root)
    files = set(modules.values())
    for path in modules.values():
        files |= data_files_of(path)
    for rel in RELEASE_DATA:
        files |= {p for p in (root / rel).rglob("*") if p.is_file()}
    return sorted(files | set(extractor_files(root)))


def digest(files: list[Path], root: Path) -> str:
    """sha256 over (name, bytes) of each file: names relative to the project, so a checkout elsewhere agrees."""
    h = hashlib.sha256()
    for path in sorted(files, key=lambda p: _name(p, root)):
        h.update(_name(path, root).encode("utf-8") + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _name(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def extractor_fingerprint(root: Path | None = None) -> str:
    """What stored observations were extracted with: equal fingerprints give equal per-document output."""
    return _fingerprints(Path(root or ROOT))[0]


def release_fingerprint(root: Path | None = None) -> str:
    """What a release was built with: the extractor plus the gate, suites and publish stage."""
    return _fingerprints(Path(root or ROOT))[1]


@lru_cache(maxsize=8)
def _fingerprints(root: Path) -> tuple[str, str]:
    """Both fingerprints of a project tree, computed once per process (code does not change under a run)."""
    return digest(extractor_files(root), root), digest(release_files(root), root)


# What a release's files for people are rendered with: the report module, the site module building its inputs, and
# the templates (read through a directory path, which data_files_of cannot see).
PRESENT_ENTRIES = ("tasks.present.report", "tasks.present.site")
PRESENT_DATA = ("tasks/present/templates",)


def present_files(root: Path | None = None) -> list[Path]:
    """Source, data and template files render_release runs: equal files give equal reports for equal inputs."""
    root = Path(root or ROOT)
    modules = module_closure(PRESENT_ENTRIES, root)
    files = set(modules.values())
    for path in modules.values():
        files |= data_files_of(path)
    for rel in PRESENT_DATA:
        files |= {p for p in (root / rel).rglob("*") if p.is_file()}
    return sorted(files)


@lru_cache(maxsize=8)
def present_fingerprint(root: Path | None = None) -> str:
    """What the presentation code is, so a changed template or formatter re-renders every release."""
    root = Path(root or ROOT)
    return digest(present_files(root), root)
