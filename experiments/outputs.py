"""Writing result files and folders so that none is ever left half written.

Each result is written under a hidden temporary name beside its target,
``.NAME.<pid>-<host>.<random>``, and renamed onto the target when complete. A process killed
before the rename leaves its temporary behind; the next result folder written beside it removes
the temporaries of ``NAME`` whose process (on this host) is gone (:func:`remove_stale`). Files and folders get the user's
umask, as any other file they create would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["OutputError", "atomic_path", "atomic_folder", "check_output_folder", "check_output_file",
           "remove_stale", "write_json"]


class OutputError(ValueError):
    """A result that cannot be written where the user asked: one line naming the option, path and problem."""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:32] or "host"


def _prefix(name: str) -> str:
    """Prefix of this process's temporaries for a target called ``name``."""
    return f".{name}.{os.getpid()}-{_host()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale(parent: Path, name: str) -> list[Path]:
    """Remove the temporaries of target ``name`` in ``parent`` left by processes that are gone.

    Temporaries of this host name their process (``.NAME.<pid>-<host>.<random>``, with a ``.tmp``
    suffix for files); those of a process still running, or of another host, stay. A temporary
    folder of the older form ``.NAME.<8 random characters>`` (no process recorded) holds only a
    killed run's files and goes too. Returns what was removed.
    """
    ours = re.compile(rf"^\.{re.escape(name)}\.(\d+)-([A-Za-z0-9-]+)\.[a-z0-9_]{{8}}(\.tmp)?$")
    legacy = re.compile(rf"^\.{re.escape(name)}\.[a-z0-9_]{{8}}$")
    removed = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    host = _host()
    for entry in entries:
        m = ours.match(entry.name)
        stale = (m is not None and m.group(2) == host and not _alive(int(m.group(1)))) or (
            legacy.match(entry.name) is not None and entry.is_dir() and not entry.is_symlink())
        if not stale:
            continue
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed.append(entry)
        except OSError:  # another process got there first, or it is not ours to remove
            pass
    return removed


def _blocking_file(path: Path) -> Path | None:
    """The first ancestor of ``path`` that exists and is not a folder (so nothing can be made under it)."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def _writable_parent(path: Path, what: str) -> None:
    blocker = _blocking_file(path)
    if blocker is not None:
        raise OutputError(f"{what} {path}: {blocker} is a file, not a folder")
    existing = next((p for p in path.parents if p.exists()), None)
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{what} {path}: cannot write in {existing} (permission denied)")


def check_output_file(path: str | os.PathLike, what: str) -> Path:
    """Raise an :class:`OutputError` now, before any work, if a result file cannot go to ``path``."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{what} {path}: is a directory, expected a file name")
    _writable_parent(path, what)
    return path


def check_output_folder(path: str | os.PathLike, what: str = "--out", *, force: bool = False) -> Path:
    """Raise an :class:`OutputError` now, before any work, if results cannot go to folder ``path``.

    An existing folder with anything in it is refused unless ``force`` (its results are then
    replaced; other files in it stay).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{what} {path}: exists and is not a folder")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise OutputError(f"{what} {path}: exists and is not empty; give --force to replace its results")
    _writable_parent(path, what)
    return path


def _mkdirs(folder: Path, what: str, target: Path) -> list[Path]:
    """Create ``folder`` and its missing parents (umask applies); return those created, outermost first."""
    if folder.is_dir():
        return []
    missing = [p for p in [folder, *folder.parents] if not p.exists()][::-1]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _rmdirs(missing)
        blocker = _blocking_file(folder)
        problem = f"{blocker} is a file, not a folder" if blocker else f"cannot create {folder} ({exc.strerror or exc})"
        raise OutputError(f"{what} {target}: {problem}") from None
    return missing


def _rmdirs(created: list[Path]) -> None:
    for p in reversed(created):
        try:
            p.rmdir()
        except OSError:
            pass


def _temporary(parent: Path, name: str, what: str, target: Path, *, folder: bool) -> Path:
    try:
        if folder:
            tmp = Path(tempfile.mkdtemp(prefix=_prefix(name), dir=parent))
            os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; results are ordinary folders
        else:
            fd, name_ = tempfile.mkstemp(prefix=_prefix(name), suffix=".tmp", dir=parent)
            os.close(fd)
            tmp = Path(name_)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; results are ordinary files
    except OSError as exc:
        raise OutputError(f"{what} {target}: cannot write in {parent} ({exc.strerror or exc})") from None
    return tmp


@contextmanager
def atomic_path(path: str | os.PathLike, what: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    On any error the temporary file is removed and ``path`` is untouched, so a result
    file either is complete or does not exist (an earlier complete one survives). A path that
    cannot be written raises :class:`OutputError` naming ``what`` (the option) and the path.
    Stale temporaries are left to :func:`remove_stale` (a batch writes thousands of files into
    one folder and cleans once).
    """
    path = Path(path)
    what = what or "output"
    created = _mkdirs(path.parent, what, path)
    try:
        tmp = _temporary(path.parent, path.name, what, path, folder=False)
    except OutputError:
        _rmdirs(created)
        raise
    try:
        yield tmp
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputError(f"{what} {path}: cannot write it ({exc.strerror or exc})") from None
    finally:
        if tmp.exists():
            tmp.unlink()


@contextmanager
def atomic_folder(path: str | os.PathLike, owned: Iterable[str], what: str = "--out", *,
                  force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside folder ``path``; on success its contents become ``path``'s.

    ``owned`` names the entries a run writes: with ``force`` an existing folder loses those
    (a previous run's results, including any this run does not write again) and keeps anything
    else. Stale temporaries of ``path`` are removed first; on error nothing is left behind.
    """
    path = check_output_folder(path, what, force=force)
    created = _mkdirs(path.parent, what, path)
    remove_stale(path.parent, path.name)
    try:
        tmp = _temporary(path.parent, path.name, what, path, folder=True)
    except OutputError:
        _rmdirs(created)
        raise
    try:
        yield tmp
        _move_into(tmp, path, owned)
    except BaseException:
        _rmdirs(created if not path.exists() else [])
        raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _move_into(tmp: Path, out: Path, owned: Iterable[str]) -> None:
    """Move the finished results from ``tmp`` to ``out`` (replacing a previous run's ``owned`` entries)."""
    if not out.exists():
        os.replace(tmp, out)
        return
    for name in owned:
        old = out / name
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        elif old.exists() or old.is_symlink():
            old.unlink()
    for item in tmp.iterdir():
        os.replace(item, out / item.name)
    tmp.rmdir()


def write_json(path: str | os.PathLike, obj, default: Callable | None = None, what: str | None = None) -> None:
    """Write ``obj`` as indented JSON, atomically (see :func:`atomic_path`)."""
    with atomic_path(path, what) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, default=default) + "\n", encoding="utf-8")
