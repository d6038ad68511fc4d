"""Football Manager's print-screen export: the file FM users actually have, read as FM writes it."""

import os
import subprocess
import sys

import pytest
from conftest import SEASON, write_roster
from lxml import etree

from facepack.build import build_pack
from facepack.core.errors import FacepackError
from facepack.fm_export import looks_like_print_screen, print_screen_rows
from facepack.generator.painter.look import look_of
from facepack.players import UNKNOWN_AGE, face_request
from facepack.roster import read_roster

RULE = "| " + "-" * 98 + "| "
WIDTHS = (10, 10, 10, 26, 10, 10, 10)


def view(header, rows, *, lead=8, rules=True):
    """A print-screen export as FM writes it: blank lines, a | header, a dashed rule after every row."""

    def line(cells):
        return "| " + "| ".join(str(c).ljust(w) for c, w in zip(cells, WIDTHS + (12,) * 8)) + "| "

    out = [""] * lead + [line(header), RULE]
    for r in rows:
        out += [line(r)] + ([RULE] if rules else [])
    return "\n".join(out) + "\n\n"


NEWGAN = ("UID", "Nat", "2nd Nat", "Name", "", "", "")
ROWS = [
    ("2002098018", "ESP", "", "Juan", 2, 15, 2),
    ("2002091482", "POR", "", "Dylan Lisboa", 1, 5, 1),
    ("2000034839", "JPN", "ITA", "Kenji Kimura", 1, 5, 10),
    ("2002097187", "POR", "RSA", "Bongani Dlamuka", 2, 5, 3),
    ("2002091606", "POR", "ENG", "Luca Tonge", 2, 11, 0),
]


def records(pack):
    root = etree.parse(str(pack / "config.xml")).getroot()
    return {r.get("from"): r.get("to") for r in root.find("list[@id='maps']").findall("record")}


def test_reads_the_face_tools_view(tmp_path):
    path = write_roster(tmp_path, view(NEWGAN, ROWS), "players.rtf")
    roster = read_roster(path, season=SEASON, need_birth_date=False)
    assert roster.layout == "fm-print-screen" and not roster.skipped
    by_uid = {p.uid: p for p in roster.players}
    kenji = by_uid["2000034839"]
    assert (kenji.first, kenji.last, kenji.nationality, kenji.second_nationality) == ("Kenji", "Kimura", "JPN", "ITA")
    assert (kenji.skin_tone, kenji.ethnicity, kenji.birth_date) == (5, 10, None)
    assert by_uid["2002098018"].name == "Juan"
    assert kenji.line == 15  # the file's own line, blank lead and rules counted


def test_the_export_tells_how_a_player_looks():
    """FM's ethnicity code and skin tone steer the face: the same seed, told otherwise, looks otherwise."""
    from facepack.players import Player

    def look(**kw):
        return look_of(face_request(Player(1, "A", "B", None, uid="7", nationality="POR", **kw), SEASON, 0))

    assert look(ethnicity=10).region == "east_asian"
    assert look(ethnicity=3).complexion == "dark"
    assert look(ethnicity=0).region in {"nordic", "western_european", "central_european", "eastern_european"}
    light, dark = look(ethnicity=3, skin_tone=1), look(ethnicity=3, skin_tone=20)
    assert sum(light.skin) > sum(dark.skin) + 30
    # Players without the hints look exactly as before: same draws, same face.
    plain = Player(1, "A", "B", None, uid="7", nationality="SWE")
    from facepack.generator.painter.look import sample_look

    req = face_request(plain, SEASON, 0)
    assert look_of(req) == sample_look(req.seed, req.age, "SWE")


def test_fm_nation_codes_are_known():
    from facepack.generator.painter.look import appearance_table

    nations = appearance_table()["nationalities"]
    for code in ("ENG", "SCO", "WAL", "NIR", "NED", "GER", "BRA", "CIV", "POR", "SVN", "LVA"):
        assert code in nations, code


def test_build_from_the_export_maps_every_face(options, tmp_path):
    path = write_roster(tmp_path, view(NEWGAN, ROWS), "players.rtf")
    report = build_pack(options(roster=path, game=None))  # an FM export picks the FM profile by itself
    assert report.profile.name == "fm" and report.count("built") == 5
    assert records(report.pack) == {r[0]: f"graphics/pictures/person/r-{r[0]}/portrait" for r in ROWS}
    assert sorted(p.name for p in report.pack.glob("2*.png")) == sorted(f"{r[0]}.png" for r in ROWS)
    ages = {r.id: r.age_group for r in report.rows}
    assert set(ages.values()) == {"junior"} and UNKNOWN_AGE < 21  # no birth date: the documented default


def test_age_column_and_birth_dates_when_the_view_has_them(tmp_path):
    header = ("UID", "Name", "Nat", "Age", "DoB")
    rows = [
        ("1001", "Old Timer", "ENG", "35", "1.1.1991"),
        ("1002", "Young One", "SCO", "17", ""),
        ("1003", "No Age", "WAL", "", ""),
    ]
    roster = read_roster(write_roster(tmp_path, view(header, rows), "v.rtf"), season=SEASON, need_birth_date=False)
    ages = {p.uid: round(face_request(p, SEASON, 0).age, 1) for p in roster.players}
    assert ages == {"1001": 35.9, "1002": 17.5, "1003": UNKNOWN_AGE}


@pytest.mark.parametrize(
    "text, message",
    [
        (view(("ID-Nummer", "Nat", "Name"), [("1", "GER", "Max Muster")]), "no UID column"),  # another language
        (view(("Nat", "Name"), [("GER", "Max Muster")]), "no UID column"),
        (view(("UID", "Nat"), [("1", "GER")]), "no Name column"),
        ("{\\rtf1\\ansi{\\fonttbl\\f0\\fswiss Helvetica;}\\f0\\pard UID | Name\\par}", "rich text"),
        ("just some words\nand more\n", "not a Football Manager print-screen export"),
    ],
)
def test_unusable_exports_are_refused_in_one_line(tmp_path, text, message):
    path = write_roster(tmp_path, text, "bad.rtf")
    with pytest.raises(FacepackError, match=message):
        read_roster(path, season=SEASON, need_birth_date=False)


def test_hostile_rows_are_reported_and_skipped(tmp_path):
    rows = ROWS[:2] + [
        ("2002098018", "ESP", "", "Juan Again", 2, 15, 2),  # duplicated UID
        ("abc", "ESP", "", "Not A Number", 1, 1, 1),
        ("１２３", "ESP", "", "Wide Digits", 1, 1, 1),  # full-width digits are no ID
        ("", "ESP", "", "No Uid", 1, 1, 1),
        ("77", "ESP", "", "Odd Values", 1, 99, -4),  # out-of-range appearance: ignored, not fatal
    ]
    text = view(NEWGAN, rows) + "| 2002000001| ESP       |           | Cut Off Mid"  # a truncated last row
    path = write_roster(tmp_path, text, "hostile.rtf")
    roster = read_roster(path, season=SEASON, need_birth_date=False)
    reasons = {s.line: s.reason for s in roster.skipped}
    assert any("not a number" in r for r in reasons.values())
    assert sum("not a number" in r for r in reasons.values()) == 2
    assert any(r == "no UID" for r in reasons.values())
    assert any("cut or damaged" in r for r in reasons.values())
    odd = [p for p in roster.players if p.uid == "77"][0]
    assert odd.skin_tone is None and odd.ethnicity is None


def test_duplicated_uids_are_one_face(options, tmp_path):
    rows = ROWS[:2] + [("2002098018", "ESP", "", "Juan Again", 2, 15, 2)]
    report = build_pack(options(roster=write_roster(tmp_path, view(NEWGAN, rows), "dup.rtf")))
    [dup] = [r for r in report.rows if r.status == "skipped"]
    assert "same ID as line" in dup.reason and dup.name == "Juan Again"


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\xff" * 500,  # binary
        b"| UID | Name |\n| ----- |\n" + b"\xff\xfe" * 10,  # garbage after a header
        "| UID | Name |\n| --- |\n| 1 | Ann \u202eLee |\n".encode("utf-16"),  # UTF-16 with BOM, bidi override
        b"\n" * 10000,  # only blank lines
    ],
)
def test_hostile_files_never_end_in_a_traceback(tmp_path, data):
    path = tmp_path / "x.rtf"
    path.write_bytes(data)
    env = dict(os.environ, COLUMNS="200")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "facepack",
            "build",
            str(path),
            "--out",
            str(tmp_path / "packs"),
            "--generator",
            "painter",
            "--segmenter",
            "chroma",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert "Traceback" not in r.stderr
    assert r.returncode in (0, 2)
    if r.returncode == 2:
        assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error: ")


def test_print_screen_detection():
    assert looks_like_print_screen(view(NEWGAN, ROWS))
    assert not looks_like_print_screen("UID,Name\n1,Ann\n")
    (_, header, _), *rows = print_screen_rows(view(NEWGAN, ROWS, rules=False))
    assert header[-2:] == ["Skin Tone", "Ethnicity"] and len(rows) == len(ROWS)
    assert all(line > 0 and not problem for line, _, problem in rows)
