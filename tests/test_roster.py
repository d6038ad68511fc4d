from datetime import date

import pytest
from conftest import SEASON, write_roster

from facepack.core.errors import FacepackError
from facepack.roster import parse_columns, parse_date, read_roster


def read(tmp_path, text, **kw):
    kw.setdefault("season", SEASON)
    encoding = kw.pop("encoding", "utf-8")
    return read_roster(write_roster(tmp_path, text, encoding=encoding), **kw)


def test_positional_ehm_export(tmp_path, small_roster):
    roster = read_roster(small_roster, season=SEASON)
    assert roster.layout == "positional"
    assert [p.name for p in roster.players] == ["Oskar Björk", "Moritz Weiß", "Jack Reilly", "Chidi Okafor"]
    oskar = roster.players[0]
    assert (oskar.uid, oskar.birth_date, oskar.nationality, oskar.line) == ("41000001", date(2006, 1, 3), "SWE", 1)
    assert roster.players[1].birth_date == date(1992, 1, 3)  # d.m.yyyy
    [staff] = roster.skipped
    assert staff.line == 4 and "Non-Player" in staff.reason


def test_include_staff_keeps_non_players(small_roster):
    roster = read_roster(small_roster, season=SEASON, include_staff=True)
    assert len(roster.players) == 5 and not roster.skipped


def test_positional_id_only_when_numeric(tmp_path):
    roster = read(tmp_path, "abc,Ann,Lee,01.02.2000,CAN,,,,Player\n")
    assert roster.players[0].uid is None


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_header_row_any_delimiter_any_case(tmp_path, delimiter):
    rows = [
        ["unique id", "FORENAME", "Surname", "Nationality", "Born", "Job"],
        ["7", "Ann", "Lee", "Canada", "2000-02-01", "Player"],
        ["8", "Bo", "Ek", "Sweden", "15/06/1998", "Non-Player"],
    ]
    roster = read(tmp_path, "\n".join(delimiter.join(r) for r in rows) + "\n")
    assert roster.layout == "header" and roster.delimiter == delimiter
    [ann] = roster.players
    assert (ann.uid, ann.first, ann.last, ann.birth_date, ann.nationality, ann.line) == (
        "7",
        "Ann",
        "Lee",
        date(2000, 2, 1),
        "Canada",
        2,
    )
    assert roster.skipped[0].line == 3


def test_common_name_when_first_and_last_are_empty(tmp_path):
    roster = read(tmp_path, "First Name,Last Name,Common Name,DOB\n,,Zé,01.01.2000\n,,Jean Paul Roy,02.01.2000\n")
    assert [(p.first, p.last) for p in roster.players] == [("Zé", ""), ("Jean Paul", "Roy")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings(tmp_path, encoding):
    roster = read(tmp_path, "First Name;Second Name;Date Of Birth\nJosé;Müller;01.02.1999\n", encoding=encoding)
    assert roster.players[0].name == "José Müller"


def test_latin1_fallback_never_fails(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("1,Zoë,Ærø,01.01.2000\n".encode("latin-1").replace("ë".encode("latin-1"), b"\x81"))
    roster = read_roster(path, season=SEASON)  # 0x81 is undefined in cp1252: latin-1 takes it
    assert roster.encoding == "latin-1" and len(roster.players) == 1 and roster.players[0].last == "Ærø"


def test_one_stray_byte_never_garbles_a_utf8_file(tmp_path):
    """A UTF-8 export with one damaged row stays UTF-8: the accented names elsewhere keep their spelling,
    and the damaged row is reported, not silently turned into mojibake."""
    text = "1,Oskar,Björk,03.01.2006\n2,Zoë,Ærø,01.01.2000\n3,Broken,N\x00me,01.01.2001\n4,Ondřej,Novotný,23.03.1993\n"
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode("utf-8").replace(b"\x00", b"\xe9"))  # a cp1252 e-acute in a UTF-8 file
    roster = read_roster(path, season=SEASON)
    assert roster.encoding == "utf-8"
    assert [p.name for p in roster.players] == ["Oskar Björk", "Zoë Ærø", "Ondřej Novotný"]
    [bad] = roster.skipped
    assert bad.line == 3 and "0xE9 is not UTF-8" in bad.reason and "\ufffd" in bad.name


def test_a_multi_line_record_reports_its_first_line(tmp_path):
    roster = read(tmp_path, 'First Name,Last Name,DOB\nAnn,"Lee\nSmith",31.02.2000\nBo,Ek,01.01.2000\n')
    [bad] = roster.skipped
    assert bad.line == 2


def test_bad_rows_are_skipped_with_line_and_reason(tmp_path):
    text = (
        "1,Good,Player,01.01.2000,CAN,,,,Player\n"
        "2,,,01.01.2000,CAN,,,,Player\n"
        "3,No,Date,,CAN,,,,Player\n"
        "4,Bad,Day,31.02.1999,CAN,,,,Player\n"
        "5,Not,Born,01.01.2030,CAN,,,,Player\n"
        "6,Odd,Format,1999/01/01,CAN,,,,Player\n"
        "\n"
        "7,Too,Short\n"
        "8,Also,Good,2.3.2001,CAN,,,,Player\n"
    )
    roster = read(tmp_path, text)
    assert [p.line for p in roster.players] == [1, 9]
    reasons = {s.line: s.reason for s in roster.skipped}
    assert reasons[2] == "no name"
    assert reasons[3] == "no birth date"
    assert "impossible birth date '31.02.1999'" in reasons[4]
    assert "after the season date 2026-11-21" in reasons[5]
    assert "unreadable birth date" in reasons[6]
    assert reasons[8] == "no birth date"


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "binary"),
        (b"First Name,Last Name,Team\nAnn,Lee,Gulls\n", "no birth-date column"),
        (b"Team,Coach\nGulls,Bob\n", "not a roster"),
        (b"hello world\njust text\n", "not a roster"),
    ],
)
def test_unusable_rosters_raise_one_line(tmp_path, content, message):
    path = tmp_path / "r.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(FacepackError) as e:
        read_roster(path, season=SEASON)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_folder_is_not_a_roster(tmp_path):
    with pytest.raises(FacepackError, match="is a folder"):
        read_roster(tmp_path, season=SEASON)


def test_column_overrides_by_name_and_number(tmp_path):
    text = "Vorname,Nachname,Geboren\nAnn,Lee,01.01.2000\n"
    roster = read(tmp_path, text, columns=parse_columns("first=Vorname,last=Nachname,dob=Geboren"))
    assert roster.players[0].name == "Ann Lee"
    roster = read(tmp_path, "x,Lee,Ann,,,01.01.2000\n", columns=parse_columns("first=2,last=1,dob=5"))
    assert roster.players[0].name == "Ann Lee"


@pytest.mark.parametrize("spec, message", [("shoe=3", "unknown field"), ("dob", "FIELD=COLUMN"), ("dob=", "FIELD=COLUMN")])
def test_bad_column_specs(spec, message):
    with pytest.raises(FacepackError, match=message):
        parse_columns(spec)


def test_override_by_name_needs_that_column(tmp_path):
    with pytest.raises(FacepackError, match="no such column"):
        read(tmp_path, "First Name,Last Name,DOB\nA,B,01.01.2000\n", columns=parse_columns("dob=Born"))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("01.02.2000", date(2000, 2, 1)),
        ("1.2.2000", date(2000, 2, 1)),
        ("2000-02-01", date(2000, 2, 1)),
        ("01/02/2000", date(2000, 2, 1)),
        ("2000-02-01 00:00:00", date(2000, 2, 1)),
    ],
)
def test_date_formats(text, expected):
    assert parse_date(text) == expected


def test_example_rosters_read_cleanly():
    from conftest import EXAMPLES

    ehm = read_roster(EXAMPLES / "league.csv", season=SEASON)
    assert len(ehm.players) == 79 and len(ehm.skipped) == 2
    ages = [(SEASON - p.birth_date).days / 365.25 for p in ehm.players]
    assert min(ages) >= 17 and max(ages) <= 41
    assert len({p.nationality for p in ehm.players}) >= 6
    header = read_roster(EXAMPLES / "league_header.csv", season=SEASON)
    assert header.layout == "header" and len(header.players) == 11
