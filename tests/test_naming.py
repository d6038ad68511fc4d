from datetime import date
from pathlib import Path

import pytest

from facepack.core.errors import FacepackError
from facepack.naming import MAX_NAME_BYTES, file_name, inside, person_key
from facepack.players import Player
from facepack.profiles import load_profile

EHM, FM = load_profile("ehm"), load_profile("fm")


def player(first="Oskar", last="Björk", born=date(2006, 1, 3), uid=None):
    return Player(line=1, first=first, last=last, birth_date=born, uid=uid)


@pytest.mark.parametrize(
    "first, last, born, expected",
    [
        # The game's instructions (day 1-31, month 1-12) and every community pack: no leading zeros.
        ("Mattias", "Havelid", date(2004, 1, 1), "Mattias_Havelid_1_1_2004.png"),
        ("Viliam", "Kmec", date(2004, 1, 2), "Viliam_Kmec_2_1_2004.png"),
        ("Axel", "Sandin Pellikka", date(2005, 3, 11), "Axel_Sandin Pellikka_11_3_2005.png"),  # a space inside a part stays
        ("Oskar", "Björk", date(2006, 1, 3), "Oskar_Björk_3_1_2006.png"),
        ("Aleksi", "Lehtinen", date(1989, 10, 10), "Aleksi_Lehtinen_10_10_1989.png"),
    ],
)
def test_ehm_names_are_the_games_and_the_communitys(first, last, born, expected):
    assert file_name(player(first, last, born), EHM) == expected


def test_the_padded_form_is_one_option_away():
    assert file_name(player(born=date(2006, 1, 3)), EHM, padded=True) == "Oskar_Björk_03_01_2006.png"


def test_accents_kept_in_nfc():
    decomposed = "Bjo\u0308rk"  # what a Mac export may contain
    assert file_name(player(last=decomposed), EHM) == "Oskar_Björk_3_1_2006.png"


@pytest.mark.parametrize(
    "stems",
    [
        ["Oskar_Björk_3_1_2006", "Oskar_Björk_03_01_2006", "oskar_björk_03_1_2006", "OSKAR_BJO\u0308RK_3_01_2006"],
        ["Axel_Sandin Pellikka_11_3_2005", "axel_sandin pellikka_11_03_2005"],
        ["41000310", "41000310"],
    ],
)
def test_person_key_matches_as_the_game_does(stems):
    assert len({person_key(s) for s in stems}) == 1


@pytest.mark.parametrize(
    "a, b",
    [
        ("Oskar_Björk_3_1_2006", "Oskar_Björk_1_3_2006"),  # another birth date
        ("Oskar_Björk_3_1_2006", "Oskar_Bjork_3_1_2006"),  # another name
        ("Oskar_Björk_3_1_2006", "Oskar_Björk_3_1_2007"),
    ],
)
def test_person_key_tells_people_apart(a, b):
    assert person_key(a) != person_key(b)


@pytest.mark.parametrize("first, last", [("../../etc", "passwd"), ("...", "..."), (".hidden", "x"), (" .", ". ")])
def test_no_name_starts_with_a_dot(first, last):
    assert not file_name(player(first, last), EHM).startswith(".")


@pytest.mark.parametrize("bad", ["\u202e", "\u200b", "\u2066", "\ufeff", "\ufffe", "\uffff", "\x85", "\x9b"])
def test_invisible_and_control_characters_never_reach_a_file_name(bad):
    name = file_name(player(f"Ev{bad}il", f"Smi{bad}th"), EHM)
    assert name == "Evil_Smith_3_1_2006.png" or (bad in "\x85\x9b" and bad not in name)


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
    assert name.endswith("_3_1_2006.png") and "Ö" in name


def test_fm_names_by_uid_and_requires_it():
    assert file_name(player(uid="41000310"), FM) == "41000310.png"
    with pytest.raises(FacepackError, match="no ID"):
        file_name(player(uid=None), FM)


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b", "..\\x", "a\x00"])
def test_inside_refuses_unsafe_names(bad):
    with pytest.raises(FacepackError):
        inside(Path("/tmp/pack"), bad)
