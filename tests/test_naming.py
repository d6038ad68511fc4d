from datetime import date
from pathlib import Path

import pytest

from facepack.errors import FacepackError
from facepack.naming import MAX_NAME_BYTES, file_name, inside
from facepack.players import Player
from facepack.profiles import load_profile

EHM, FM = load_profile("ehm"), load_profile("fm")


def player(first="Oskar", last="Björk", born=date(2006, 1, 3), uid=None):
    return Player(line=1, first=first, last=last, birth_date=born, uid=uid)


def test_ehm_name_is_first_last_zero_padded_date():
    assert file_name(player(born=date(2006, 1, 3)), EHM) == "Oskar_Björk_03_01_2006.png"


def test_accents_kept_in_nfc():
    decomposed = "Bjo\u0308rk"  # what a Mac export may contain
    assert file_name(player(last=decomposed), EHM) == "Oskar_Björk_03_01_2006.png"


@pytest.mark.parametrize("first, last", [("A<b>", 'c"d'), ("x:y", "p|q"), ("who?", "star*"), ("tab\there", "nul\x00")])
def test_windows_forbidden_characters_replaced(first, last):
    name = file_name(player(first, last), EHM)
    assert not set('<>:"/\\|?*\x00\t') & set(name)


@pytest.mark.parametrize("first, last", [("..", ".."), ("../../etc", "passwd"), ("a/b", "c\\d"), ("/abs", "..\\..")])
def test_traversal_names_stay_inside_the_pack(tmp_path, first, last):
    name = file_name(player(first, last), EHM)
    target = inside(tmp_path, name)
    assert target.parent == tmp_path and "/" not in name and "\\" not in name


def test_reserved_device_names_defused():
    fm_like = load_profile("fm")
    for uid in ("1",):
        assert file_name(player(uid=uid), fm_like) == "1.png"
    from facepack.naming import safe_stem

    assert safe_stem("CON") == "_CON" and safe_stem("lpt1.x") == "_lpt1.x" and safe_stem("Connor") == "Connor"
    assert safe_stem("name. ") == "name" and safe_stem("") == "_"


def test_long_names_shortened_within_255_bytes():
    name = file_name(player("Ä" * 300, "Ö" * 50), EHM)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name.endswith("_03_01_2006.png") and "Ö" in name


def test_fm_names_by_uid_and_requires_it():
    assert file_name(player(uid="41000310"), FM) == "41000310.png"
    with pytest.raises(FacepackError, match="no ID"):
        file_name(player(uid=None), FM)


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b", "..\\x", "a\x00"])
def test_inside_refuses_unsafe_names(bad):
    with pytest.raises(FacepackError):
        inside(Path("/tmp/pack"), bad)
