"""Writes that are all or nothing: a file appears complete under its name, or not at all."""

from __future__ import annotations

import io
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from facepack.core.errors import FacepackError

TMP_MARK = ".facepack-tmp-"
# Exactly what mkstemp makes of our prefix: a user's file that merely looks similar is never ours.
_TEMPORARY = re.compile(r"^\..{0,40}" + re.escape(TMP_MARK) + r"[a-z0-9_]{8}$", re.S)


def current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _file_mode() -> int:
    # mkstemp makes files private (0600); a pack is shared with the game and other users,
    # so give it the mode an ordinary open() would under the user's umask.
    return 0o666 & ~current_umask()


@contextmanager
def _replacing(path: Path, mode: str, **open_args) -> Iterator:
    """A file written to a temporary beside `path`, flushed to disk, then renamed over `path` when
    the block ends without an error; on any error (a KeyboardInterrupt too) the temporary goes,
    so a killed run leaves nothing half-written behind."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}{TMP_MARK}", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **open_args) as f:
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), _file_mode())
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        sync_folder(path.parent)  # the new name itself must survive a power cut
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_bytes(path: Path, data: bytes) -> None:
    with _replacing(path, "wb") as f:
        f.write(data)


@contextmanager
def writing_text(path: Path) -> Iterator[io.TextIOBase]:
    """A text file written bit by bit (a whole-database manifest is never held in memory) that
    appears under `path` complete, when the block ends without an error, or not at all."""
    with _replacing(path, "w", encoding="utf-8", newline="") as f:
        yield f


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries, so that a rename survives a power cut (where the OS allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (and Windows) cannot fsync a folder; the rename itself stands
    finally:
        os.close(fd)


def move_new(source: Path, target: Path) -> None:
    """Move a file to a name that must not exist yet, atomically, never replacing anything there.

    A hard link then an unlink refuses an existing target by itself (EEXIST); file systems
    without hard links get a rename after a check."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        if os.path.lexists(target):
            raise FileExistsError(target) from None
        os.rename(source, target)
    else:
        os.unlink(source)
    sync_folder(target.parent)
    if source.parent != target.parent:
        sync_folder(source.parent)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_png(path: Path, pixels) -> None:
    from PIL import Image

    buf = io.BytesIO()
    # No metadata and fixed settings: the same pixels always give the same bytes.
    Image.fromarray(pixels).save(buf, format="PNG", compress_level=6)
    write_bytes(path, buf.getvalue())


def remove_stale_temporaries(folder: Path) -> int:
    """Temporary files left by a run that was killed before it could rename them. Call it only under
    the pack's lock: then no live run owns a temporary here."""
    removed = 0
    for p in folder.glob(f".*{TMP_MARK}*"):
        if not _TEMPORARY.match(p.name) or not p.is_file() or p.is_symlink():
            continue
        try:
            p.unlink()
            removed += 1
        except OSError:
            pass
    return removed


@contextmanager
def exclusive(lock_path: Path, what: str) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` (created if need be) for the block; a second holder
    stops at once with one line rather than interleaving its writes with ours. The lock goes with
    the process, so a killed run never leaves it held."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            _lock(fd)
        except OSError:
            raise FacepackError(f"another facepack run is writing {what}; wait for it to finish, then run again") from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
