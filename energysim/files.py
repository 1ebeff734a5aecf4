"""Files and folders written whole or not at all.

`write_atomically` writes one file to a temporary name beside it, then renames it.

`replaced_folder` builds a whole result folder in a sibling staging folder (same parent, so
the same filesystem) and then swaps it in: on Linux in one atomic exchange of the two
names, elsewhere by renaming the old folder aside, the new one in, and only then removing
the old one. Nothing of the earlier result is left beside the new one, and a run killed at
any moment leaves the complete earlier result or the complete new one, never a mix.

`reserved_folder` guards an output folder while a run uses it: it checks that the folder's
parent can be written, takes an exclusive lock (``fcntl.flock`` on ``.<name>.energysim-lock``
in the parent; a second run is refused with `FolderInUse`), puts back or removes the
staging and aside folders of earlier runs that were killed (recognised by their names,
``.<name>.energysim-new-…`` and ``.<name>.energysim-old-…``) and creates the folder, empty, if
it is missing. A folder that holds files but none of the names that mark a result of this
tool is refused, since it would be replaced whole. Problems are `OutputError`s whose text
says what is wrong; a full disk or a read-only folder met while writing becomes one too.

A utility of every layer (the run's outputs, the sweep's tables, the workbook, the report):
it knows no other module of energysim.
"""

from __future__ import annotations

import ctypes
import errno
import fnmatch
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no lock, runs into one folder are not kept apart
    fcntl = None

FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
LEGACY_STAGING = ".energysim-partial-"
"""Staging folders that earlier versions made inside the output folder."""

_HELD: dict[Path, int] = {}
"""Folders this process holds the lock of, and the lock file's descriptor."""


class OutputError(Exception):
    """An output folder cannot be used: not writable, the disk full, a file in its place,
    or holding files that are not a result of this tool."""


class FolderInUse(OutputError):
    """Another process holds the output folder's lock."""


def write_atomically(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(partial)`` on a hidden temporary path in ``path``'s folder, then rename
    it to ``path``; on any failure the partial file is removed and ``path`` left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}-{os.getpid()}-{secrets.token_hex(4)}.partial"
                             f"{path.suffix}")
    try:
        write(partial)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


@contextmanager
def reserved_folder(path: str | Path, *, ours: Iterable[str]) -> Iterator[Path]:
    """Hold output folder ``path`` for the block (see the module docstring) and yield its
    absolute path. ``ours`` are the names whose presence marks an existing folder as a
    result of this tool that may be replaced. Within the block the same process may reserve
    the folder again (`replaced_folder` does).

    Raises
    ------
    FolderInUse
        Another process holds the folder.
    OutputError
        The folder or its parent cannot be written, or the folder is not one of ours.
    """
    target = Path(path).resolve()
    if target in _HELD:
        yield target
        return
    if not target.name:
        raise OutputError(f"{target}: the root of a filesystem cannot be an output folder")
    if os.path.ismount(target):
        raise OutputError(f"{target}: is a mount point, which cannot be replaced whole; give a "
                          f"folder inside it (--out {target}/results)")
    with _translated(target.parent):
        target.parent.mkdir(parents=True, exist_ok=True)
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise OutputError(f"{target.parent}: cannot write in this folder (read-only), so "
                          f"{target.name} cannot be written")
    descriptor = _lock(target)
    _HELD[target] = descriptor
    try:
        _recover(target)
        _check_ours(target, tuple(ours))
        with _translated(target):
            target.mkdir(exist_ok=True)
        yield target
    finally:
        del _HELD[target]
        _unlock(target, descriptor)


@contextmanager
def replaced_folder(path: str | Path, *, ours: Iterable[str], keep: Iterable[str] = ()
                    ) -> Iterator[Path]:
    """Yield an empty staging folder beside output folder ``path``; when the block ends
    without an error, the staging folder replaces ``path`` whole. ``keep`` are names of
    files of the old folder carried over (hard-linked, else copied) before the block runs.
    On an error, or an interrupt, the staging folder is removed and ``path`` left as it was.

    Raises
    ------
    OutputError
        As `reserved_folder`, and where the disk is full or a folder read-only.
    """
    with reserved_folder(path, ours=ours) as target:
        staging = _sibling(target, "new")
        try:
            with _translated(target):
                staging.mkdir()
                for name in keep:
                    if (target / name).is_file():
                        _link_or_copy(target / name, staging / name)
                yield staging
                _swap(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # the old folder after an exchange


def lock_path(path: str | Path) -> Path:
    """The lock file of output folder ``path``."""
    target = Path(path).resolve()
    return target.parent / f".{target.name}.energysim-lock"


@contextmanager
def _translated(where: Path) -> Iterator[None]:
    """A full disk or a read-only folder as an OutputError that says so."""
    try:
        yield
    except OSError as exc:
        if exc.errno in FULL:
            raise OutputError(f"{where}: the disk is full ({exc.strerror}); the folder keeps "
                              "its earlier contents") from exc
        if exc.errno in READ_ONLY:
            raise OutputError(f"{where}: cannot write here, read-only or not permitted "
                              f"({exc.filename or where}: {exc.strerror})") from exc
        raise OutputError(f"{where}: cannot be written ({exc.filename or where}: "
                          f"{exc.strerror or exc})") from exc


def _lock(target: Path) -> int:
    """The descriptor of ``target``'s lock file, locked; the file then holds our pid."""
    lock = lock_path(target)
    while True:
        with _translated(target.parent):
            descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is None:
            break
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(descriptor, 32).decode("ascii", "replace").strip()
            os.close(descriptor)
            raise FolderInUse(f"{target}: another energysim run (process {holder or '?'}) is "
                              "writing into this folder; wait for it to end or choose another "
                              "folder") from None
        try:  # the file may have been removed by the holder we waited for: lock the new one
            current = os.stat(lock)
        except FileNotFoundError:
            current = None
        mine = os.fstat(descriptor)
        if current is not None and (current.st_ino, current.st_dev) == (mine.st_ino, mine.st_dev):
            break
        os.close(descriptor)
    try:
        with _translated(target.parent):
            os.ftruncate(descriptor, 0)
            os.write(descriptor, f"{os.getpid()}\n".encode("ascii"))
    except BaseException:
        _unlock(target, descriptor)
        raise
    return descriptor


def _unlock(target: Path, descriptor: int) -> None:
    """Remove the lock file while still holding it, then let go."""
    with suppress(OSError):
        lock_path(target).unlink(missing_ok=True)
    os.close(descriptor)


def _sibling(target: Path, role: str) -> Path:
    return target.with_name(f".{target.name}.energysim-{role}-{os.getpid()}-"
                            f"{secrets.token_hex(4)}")


def _leftovers(target: Path) -> list[tuple[str, Path]]:
    """(role, path) of the staging (``new``) and aside (``old``) folders of ``target``."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.energysim-(new|old)-\d+-[0-9a-f]{{8}}")
    found = []
    for entry in os.scandir(target.parent):
        match = pattern.fullmatch(entry.name)
        if match and entry.is_dir(follow_symlinks=False):
            found.append((match.group(1), Path(entry.path)))
    return sorted(found)


def _recover(target: Path) -> None:
    """Put back the earlier result a kill left aside (the folder missing between the two
    renames of a swap), then remove every staging and aside folder of ``target``."""
    leftovers = _leftovers(target)
    if not target.exists():
        asides = [p for role, p in leftovers if role == "old"]
        if asides:
            with _translated(target):
                os.rename(asides[-1], target)
    for _, folder in leftovers:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)


def _check_ours(target: Path, ours: tuple[str, ...]) -> None:
    """A folder may be replaced only where everything in it is a name this tool writes
    (``ours``: file names or patterns such as ``sweep_heatmap_*.png``): a user's own file in
    it is never deleted."""
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputError(f"{target}: is a file, not a folder")
    names = [n for n in os.listdir(target) if not n.startswith(LEGACY_STAGING)]
    foreign = [n for n in names if not any(fnmatch.fnmatchcase(n, pattern) for pattern in ours)]
    if foreign:
        shown = ", ".join(sorted(foreign)[:5]) + (" ..." if len(foreign) > 5 else "")
        raise OutputError(f"{target}: holds files that are not part of this kind of result "
                          f"({shown}); the folder is replaced whole, so choose a new or empty "
                          "folder")
    if not os.access(target, os.W_OK | os.X_OK):
        raise OutputError(f"{target}: cannot write in this folder (read-only)")


def _link_or_copy(source: Path, destination: Path) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``; the old ``target`` ends at ``staging`` (exchanged) or
    is removed."""
    if not target.exists():
        os.rename(staging, target)
    elif not _exchange(staging, target):
        aside = _sibling(target, "old")
        os.rename(target, aside)
        try:
            os.rename(staging, target)
        except BaseException:
            os.rename(aside, target)
            raise
        shutil.rmtree(aside, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two names in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``); False
    where the system or the filesystem cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    at_cwd, rename_exchange = -100, 2
    if renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))
