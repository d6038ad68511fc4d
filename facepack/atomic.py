"""Writes that are all or nothing: a file appears complete under its name, or not at all."""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

TMP_MARK = ".facepack-tmp-"


def _file_mode() -> int:
    # mkstemp makes files private (0600); a pack is shared with the game and other users,
    # so give it the mode an ordinary open() would under the user's umask.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename over `path`."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}{TMP_MARK}", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), _file_mode())
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        # Also on KeyboardInterrupt: a killed run leaves nothing half-written behind.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


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
    """Temporary files left by a run that was killed before it could rename them."""
    removed = 0
    for p in folder.glob(f".*{TMP_MARK}*"):
        try:
            p.unlink()
            removed += 1
        except OSError:
            pass
    return removed
