import os
import stat

import pytest

from facepack.core import atomic


def test_write_replaces_whole_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "a.png"
    target.write_bytes(b"old")
    atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_files_get_the_umask_mode_not_private(tmp_path):
    old = os.umask(0o022)
    try:
        atomic.write_bytes(tmp_path / "a.png", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.png").stat().st_mode) == 0o644


def test_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "config.xml"
    target.write_bytes(b"old")

    def boom(*a):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"old" and len(list(tmp_path.iterdir())) == 1


def test_stale_temporaries_are_removed(tmp_path):
    (tmp_path / f".a.png{atomic.TMP_MARK}ab3_x9yz").write_bytes(b"half")  # what mkstemp names them
    (tmp_path / "keep.png").write_bytes(b"x")
    (tmp_path / f".mine{atomic.TMP_MARK}notes.txt").write_bytes(b"a user's file that only looks like one")
    assert atomic.remove_stale_temporaries(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["keep.png", f".mine{atomic.TMP_MARK}notes.txt"])


def test_a_second_holder_of_the_lock_stops_in_one_line(tmp_path):
    from facepack.core.errors import FacepackError

    lock = tmp_path / ".pack.lock"
    with atomic.exclusive(lock, "the pack"):
        with pytest.raises(FacepackError, match="another facepack run is writing the pack"):
            with atomic.exclusive(lock, "the pack"):
                pass
    with atomic.exclusive(lock, "the pack"):  # released when the first left
        pass


def test_move_new_never_replaces(tmp_path):
    (tmp_path / "a").write_bytes(b"a")
    (tmp_path / "b").write_bytes(b"b")
    with pytest.raises(FileExistsError):
        atomic.move_new(tmp_path / "a", tmp_path / "b")
    assert (tmp_path / "b").read_bytes() == b"b" and (tmp_path / "a").exists()
    atomic.move_new(tmp_path / "a", tmp_path / "c")
    assert (tmp_path / "c").read_bytes() == b"a" and not (tmp_path / "a").exists()
