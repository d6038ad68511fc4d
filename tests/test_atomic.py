import os
import stat

import pytest

from facepack import atomic


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
    (tmp_path / f".a.png{atomic.TMP_MARK}abc").write_bytes(b"half")
    (tmp_path / "keep.png").write_bytes(b"x")
    assert atomic.remove_stale_temporaries(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]
