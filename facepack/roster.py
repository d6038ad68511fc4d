"""Reading a game's database export into players.

Three layouts: the headerless EHM export the earlier tool read (column 0 ID when
numeric, 1 first name, 2 last name, 3 birth date, 4 nationality, 8 role), any export
with a header row, whose columns are found by their usual names, and Football
Manager's "Print screen -> Text file" view (facepack/fm_export.py). A row that cannot
make a player is skipped with its line number and the reason; a file that cannot be
a roster at all raises FacepackError with one line saying why.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import stat
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from facepack.core.errors import FacepackError
from facepack.fm_export import is_rich_text, looks_like_print_screen, print_screen_rows
from facepack.players import Player

FIELDS = ("id", "first", "last", "name", "dob", "age", "nation", "nation2", "skin", "ethnicity", "role")

HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "uid", "uniqueid", "personid", "playerid"),
    "first": ("firstname", "forename", "forenames", "givenname", "first"),
    "last": ("secondname", "lastname", "surname", "familyname", "last"),
    "name": ("commonname", "name", "fullname", "playername"),
    "dob": ("dateofbirth", "dob", "birthdate", "born", "birthday", "dateborn"),
    "age": ("age",),
    "nation": ("nation", "nationality", "country", "nat"),
    "nation2": ("2ndnat", "2ndnationality", "secondnationality", "secondnation", "nation2"),
    "skin": ("skintone", "skin", "skincolour", "skincolor"),
    "ethnicity": ("ethnicity", "ethnic"),
    "role": ("role", "job"),
}
POSITIONAL: dict[str, int] = {"id": 0, "first": 1, "last": 2, "dob": 3, "nation": 4, "role": 8}
DELIMITERS = (",", ";", "\t")
DATE_FORMATS = "dd.mm.yyyy, yyyy-mm-dd or dd/mm/yyyy"

# A roster is a text export: a whole-database FM print-screen of 500,000 people is ~100 MB.
MAX_ROSTER_BYTES = 256 * 1024 * 1024
SNIFF_BYTES = 64 * 1024  # enough to tell an export's kind; build reads the whole file once, later
_SURROGATE = re.compile("[\udc80-\udcff]")
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_ID = re.compile(r"^[0-9]+(?:\.0+)?$")  # ASCII digits only: '١٢٣' is no game's ID


@dataclass(frozen=True)
class SkippedRow:
    line: int
    reason: str
    name: str = ""
    birth_date: str = ""
    uid: str = ""


@dataclass(frozen=True)
class Roster:
    source: Path
    players: list[Player]
    skipped: list[SkippedRow]
    layout: str  # "positional", "header" or "fm-print-screen"
    delimiter: str
    encoding: str
    columns: dict[str, int] = field(default_factory=dict)


def parse_date(text: str) -> date:
    """A birth date in one of the export formats; ValueError says why not."""
    text = text.strip()
    m = _DMY.match(text)
    if m:
        d, mo, y = (int(g) for g in m.groups())
    else:
        m = _YMD.match(text)
        if not m:
            raise ValueError(f"unreadable birth date {text!r} (expected {DATE_FORMATS})")
        y, mo, d = (int(g) for g in m.groups())
    try:
        return date(y, mo, d)
    except ValueError:
        raise ValueError(f"impossible birth date {text!r}") from None


def parse_columns(spec: str | None) -> dict[str, str]:
    """`first=Forename,dob=3` -> {"first": "Forename", "dob": "3"}; a number is a 0-based column."""
    if not spec:
        return {}
    out: dict[str, str] = {}
    for part in spec.split(","):
        key, sep, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not value:
            raise FacepackError(f"--columns: {part.strip()!r} is not FIELD=COLUMN (e.g. dob=Born or dob=3)")
        if key not in FIELDS:
            raise FacepackError(f"--columns: unknown field {key!r} (fields: {', '.join(FIELDS)})")
        out[key] = value
    return out


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (BOM or not), UTF-16 with BOM, else cp1252/latin-1.

    A file that is UTF-8 but for a few stray bytes stays UTF-8: the bytes that are not become
    lone surrogates, and the rows holding them are reported and skipped (`bad_text`), so one bad
    byte never turns every accented name of the file into `Ã¶`."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                break
    if b"\x00" in data[:8192]:
        raise FacepackError("binary data, not a text export (save the roster as CSV)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="surrogateescape")
    stray = len(_SURROGATE.findall(text))
    accented = sum(1 for c in text if ord(c) > 127) - stray
    if accented > stray:  # more valid UTF-8 letters than stray bytes: a UTF-8 file with damage
        return text, "utf-8"
    for name in ("cp1252", "latin-1"):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def bad_text(cells: list[str]) -> str | None:
    """Why a row's text cannot be trusted (bytes that are not UTF-8 in a UTF-8 file), or None."""
    for cell in cells:
        m = _SURROGATE.search(cell)
        if m:
            return f"byte 0x{ord(m.group()) - 0xDC00:02X} is not UTF-8 text (the rest of the file is): fix this row's spelling"
    return None


def _norm(cell: str) -> str:
    return re.sub(r"[^0-9a-z]", "", cell.casefold())


def sniff_delimiter(text: str) -> str:
    sample = [line for line in text.splitlines() if line.strip()][:30]
    best, best_score = ",", (-1.0, 0)
    for delim in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(sample, delimiter=delim)]
        except csv.Error:  # an unbalanced quote in the sample: this delimiter tells nothing
            continue
        if not counts:
            continue
        mode, hits = Counter(counts).most_common(1)[0]
        score = (hits / len(counts) if mode > 1 else 0.0, mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _header_columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    cells = [_norm(c) for c in header]
    for key, names in HEADER_NAMES.items():
        for alias in names:  # earlier aliases win: "Common Name" is a name, "Name" only if nothing better
            if alias in cells and key not in found:
                found[key] = cells.index(alias)
    return found


def _looks_like_header(row: list[str]) -> bool:
    """A header names at least one known column and holds no date (a player row always does)."""
    if not _header_columns(row):
        return False
    for cell in row:
        try:
            parse_date(cell)
            return False
        except ValueError:
            continue
    return True


def _resolve(overrides: dict[str, str], header: list[str] | None, base: dict[str, int]) -> dict[str, int]:
    cols = dict(base)
    cells = [_norm(c) for c in header] if header else []
    for key, value in overrides.items():
        if value.isascii() and value.isdigit():
            cols[key] = int(value)
        elif header is None:
            raise FacepackError(f"--columns {key}={value}: this roster has no header row; give a column number")
        elif _norm(value) in cells:
            cols[key] = cells.index(_norm(value))
        else:
            raise FacepackError(f"--columns {key}={value}: no such column in the header ({', '.join(header)})")
    return cols


def _cell(row: list[str], cols: dict[str, int], key: str) -> str:
    i = cols.get(key)
    if i is None or i >= len(row):
        return ""
    return " ".join(row[i].split())


def read_text(path: Path, limit: int = MAX_ROSTER_BYTES) -> tuple[str, str]:
    """The roster file's text and encoding (its first `limit` bytes: all of it by default);
    FacepackError in one line for a file that is no text."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise FacepackError(f"{path}: no such file") from None
    except OSError as e:
        raise FacepackError(f"{path}: cannot read ({e.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise FacepackError(f"{path}: is a folder, not a roster file")
    if not stat.S_ISREG(info.st_mode):  # a FIFO would hang, /dev/zero never end
        raise FacepackError(f"{path}: not a regular file (a pipe or device); save the export to a file")
    if info.st_size > MAX_ROSTER_BYTES:
        raise FacepackError(
            f"{path}: {info.st_size // 2**20} MiB, larger than any export ({MAX_ROSTER_BYTES // 2**20} MiB at most)"
        )
    try:
        with open(path, "rb") as f:
            data = f.read(limit)
    except OSError as e:
        raise FacepackError(f"{path}: cannot read ({e.strerror})") from None
    if not data.strip() and info.st_size <= limit:
        raise FacepackError(f"{path}: the file is empty")
    try:
        text, encoding = decode(data)
    except FacepackError as e:
        raise FacepackError(f"{path}: {e}") from None
    return text.lstrip("\ufeff"), encoding


def roster_kind(path: Path) -> str:
    """'fm-print-screen' for Football Manager's print-screen export, else 'csv' (EHM and others).
    Told from the file's start: the export's header and rule come after a few blank lines."""
    text, _ = read_text(path, limit=SNIFF_BYTES)
    return "fm-print-screen" if looks_like_print_screen(text) else "csv"


def game_for(path: Path, game: str | None) -> str:
    """The game profile asked for, or the one the roster is for: an FM print-screen export is for FM."""
    return game or ("fm" if roster_kind(path) == "fm-print-screen" else "ehm")


@dataclass(frozen=True)
class RosterSource:
    """An export opened and checked, read row by row: `entries()` yields each row's Player or
    SkippedRow in line order, afresh on every call, so that a build of a whole-database export
    (FM's run to hundreds of thousands of people) never holds its players. Only the text is held."""

    source: Path
    layout: str  # "positional", "header" or "fm-print-screen"
    delimiter: str
    encoding: str
    columns: dict[str, int]
    _entries: Callable[[], Iterator[Player | SkippedRow]] = field(repr=False, compare=False)

    def entries(self) -> Iterator[Player | SkippedRow]:
        return self._entries()


def read_roster(
    path: Path,
    *,
    season: date,
    include_staff: bool = False,
    columns: dict[str, str] | None = None,
    need_birth_date: bool = True,
) -> Roster:
    """The players of an export, all at once (validate and morph; build reads it row by row)."""
    src = open_roster(path, season=season, include_staff=include_staff, columns=columns, need_birth_date=need_birth_date)
    players: list[Player] = []
    skipped: list[SkippedRow] = []
    for entry in src.entries():
        (players if isinstance(entry, Player) else skipped).append(entry)
    return Roster(src.source, players, skipped, src.layout, src.delimiter, src.encoding, src.columns)


def open_roster(
    path: Path,
    *,
    season: date,
    include_staff: bool = False,
    columns: dict[str, str] | None = None,
    need_birth_date: bool = True,
) -> RosterSource:
    """An export, checked to be one (FacepackError in one line if not), ready to be read row by row.
    `need_birth_date`: EHM names files by birth date, so a row without one is skipped; FM names
    them by ID, so such a row is built at its Age (or the default age)."""
    path = Path(path)
    text, encoding = read_text(path)
    if looks_like_print_screen(text):
        return _open_fm(path, text, encoding, season, include_staff, columns or {}, need_birth_date)
    if is_rich_text(text):
        raise FacepackError(
            f"{path}: rich text (RTF), not a roster; in Football Manager use Print screen -> Text file, or save the roster as CSV"
        )
    if path.suffix.lower() == ".rtf":
        raise FacepackError(
            f"{path}: not a Football Manager print-screen export (no | header row followed by a dashed "
            f"rule); export the view again with Print screen -> Text file"
        )

    delimiter = sniff_delimiter(text)
    # A cell may be as long as the file: csv's 128 KiB default would refuse a whole roster for one cell.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))

    def rows() -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            end = 0
            for row in reader:
                start, end = end + 1, reader.line_num  # a quoted cell may span lines: report where the row starts
                if any(cell.strip() for cell in row):
                    yield start, row
        except csv.Error as e:
            raise FacepackError(f"{path}: not a readable CSV export (line {reader.line_num}: {e})") from None

    # One pass up front, holding nothing, so that a file csv cannot read is refused before any work.
    first: tuple[int, list[str]] | None = None
    for row in rows():
        first = first or row
    if first is None:
        raise FacepackError(f"{path}: no rows")

    overrides = columns or {}
    first_row = first[1]
    if _looks_like_header(first_row) or any(not (v.isascii() and v.isdigit()) for v in overrides.values()):
        layout, header = "header", first_row
        cols = _resolve(overrides, header, _header_columns(header))
        missing = [k for k in ("dob",) if k not in cols and need_birth_date]
        if not {"first", "last", "name"} & cols.keys():
            missing.insert(0, "name")
        if missing:
            raise FacepackError(
                f"{path}: no {' or '.join('birth-date' if m == 'dob' else m for m in missing)} column in the header "
                f"({', '.join(c.strip() for c in header)}); name it with --columns, e.g. --columns dob=Born"
            )
    else:
        layout = "positional"
        cols = _resolve(overrides, None, POSITIONAL)
        if not any(len(row) > cols["dob"] for _, row in rows()):
            raise FacepackError(
                f"{path}: not a roster: no header with name and birth-date columns, and no row has the "
                f"EHM export's layout (ID, first name, last name, birth date, ...)"
            )

    def entries() -> Iterator[Player | SkippedRow]:
        body = rows()
        if layout == "header":
            next(body)
        for line, row in body:
            yield _row_to_player(line, row, cols, season, include_staff, need_birth_date)

    return RosterSource(path, layout, delimiter, encoding, cols, entries)


def _open_fm(
    path: Path, text: str, encoding: str, season: date, include_staff: bool, overrides: dict[str, str], need_birth_date: bool
) -> RosterSource:
    header = next((cells for number, cells, _ in print_screen_rows(text) if number == 0), [])
    cols = _resolve(overrides, header, _header_columns(header))
    if "id" not in cols:
        raise FacepackError(
            f"{path}: this Football Manager export has no UID column (columns: {', '.join(c for c in header if c) or 'none'}); "
            f"export a view with the columns UID, Nat, 2nd Nat and Name (NewGAN Manager's view), with the game in English"
        )
    if not {"first", "last", "name"} & cols.keys():
        raise FacepackError(f"{path}: this Football Manager export has no Name column; add Name to the view and export it again")
    if need_birth_date and "dob" not in cols:
        raise FacepackError(
            f"{path}: this Football Manager export has no DoB column, and EHM names portraits by birth "
            f"date; build it with --game fm"
        )

    def entries() -> Iterator[Player | SkippedRow]:
        for line, cells, problem in print_screen_rows(text):
            if line == 0:
                continue
            if problem:
                yield SkippedRow(line, problem, uid=cells[0] if cells and cells[0].isascii() and cells[0].isdigit() else "")
            else:
                yield _row_to_player(line, cells, cols, season, include_staff, need_birth_date, ids_required=True)

    return RosterSource(path, "fm-print-screen", "|", encoding, cols, entries)


def _small_int(text: str, low: int, high: int) -> int | None:
    """A number in [low, high], or None: an out-of-range appearance value is ignored, never fatal."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None


def _row_to_player(
    line: int,
    row: list[str],
    cols: dict[str, int],
    season: date,
    include_staff: bool,
    need_birth_date: bool = True,
    ids_required: bool = False,
):
    damaged = bad_text(row)
    if damaged:
        name = " ".join(_cell(row, cols, k) for k in ("first", "last")).strip() or _cell(row, cols, "name")
        return SkippedRow(line, damaged, _SURROGATE.sub("\ufffd", name))
    first, last = _cell(row, cols, "first"), _cell(row, cols, "last")
    if not first and not last:
        common = _cell(row, cols, "name")
        first, _, last = common.rpartition(" ") if " " in common else (common, "", "")
    raw_dob = _cell(row, cols, "dob")
    raw_id = _cell(row, cols, "id")
    uid = raw_id.split(".")[0] if _ID.match(raw_id) else None
    name = f"{first} {last}".strip()

    def skip(reason: str) -> SkippedRow:
        return SkippedRow(line, reason, name, raw_dob, uid or "")

    role = _cell(row, cols, "role")
    if _norm(role) == "nonplayer" and not include_staff:
        return skip("staff (Non-Player); --include-staff builds staff faces too")
    if ids_required and not uid:
        return skip(f"UID {raw_id!r} is not a number" if raw_id else "no UID")
    if not name:
        return skip("no name")
    born = None
    if raw_dob:
        try:
            born = parse_date(raw_dob)
        except ValueError as e:
            if need_birth_date:
                return skip(str(e))
    elif need_birth_date:
        return skip("no birth date")
    if born is not None and born > season:
        return skip(f"birth date {raw_dob} is after the season date {season.isoformat()}")
    return Player(
        line=line,
        first=first,
        last=last,
        birth_date=born,
        uid=uid,
        nationality=_cell(row, cols, "nation") or None,
        role=role or None,
        age=_small_int(_cell(row, cols, "age"), 0, 120),
        second_nationality=_cell(row, cols, "nation2") or None,
        skin_tone=_small_int(_cell(row, cols, "skin"), 1, 20),
        ethnicity=_small_int(_cell(row, cols, "ethnicity"), 0, 10),
    )
