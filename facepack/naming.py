"""File names a game will match, and that are safe on every file system a modder uses.

EHM matches a portrait by `First_Last_D_M_YYYY.png` (day and month without leading
zeros, as the game's instructions and every community pack write them); FM by the
unique ID. Names are kept as spelled (accents and spaces inside a name part too:
NTFS stores UTF-8 names fine) but characters Windows forbids are replaced, invisible
characters that could disguise a name are dropped, reserved device names are
defused, no name starts with a dot, and the name is kept within 255 bytes, so that a
pack made on Linux unzips on Windows.

Matching goes by person, as the game does: `person_key` reads a file stem as a name
and a birth date, whatever the padding, case or Unicode form.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

from facepack.core.errors import FacepackError
from facepack.players import Player
from facepack.profiles import GameProfile

MAX_NAME_BYTES = 255
_FORBIDDEN = re.compile('[<>:"/\\\\|?*\x00-\x1f\x7f-\x9f\udc80-\udcff]')  # the last: bytes no encoding could read
# Format characters (bidi overrides, zero-width marks, BOM) and noncharacters: invisible
# in a file browser, they can make `Evil\u202egnp.exe` look like another name, and XML
# refuses U+FFFE/U+FFFF outright.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ufdd0-\ufdef\ufffe\uffff]")
_DATED = re.compile(r"^(?P<name>.*)_(?P<d>[0-9]{1,2})_(?P<m>[0-9]{1,2})_(?P<y>[0-9]{4})$")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def clean_part(text: str) -> str:
    """One name part: NFC, forbidden characters replaced by '-', whitespace collapsed."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return " ".join(_FORBIDDEN.sub("-", text).split())


def safe_stem(stem: str) -> str:
    """A whole stem: no trailing dots or spaces (Windows drops them), no leading dot (a hidden
    file on Linux and macOS, and `..` is never a name), no reserved device name."""
    stem = stem.rstrip(". ").lstrip(". ")
    if not stem or stem in (".", ".."):
        stem = "_"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    return stem


def _fits(template: str, parts: dict[str, str], extension: str) -> str | None:
    name = safe_stem(template.format(**parts)) + extension
    return name if len(name.encode("utf-8")) <= MAX_NAME_BYTES else None


def file_name(player: Player, profile: GameProfile, padded: bool = False) -> str:
    """The portrait's file name for this game; FacepackError if the profile needs an ID or date it lacks.

    `padded` writes day and month with leading zeros (`03_01_2006`), where the profile has that form."""
    if profile.requires_id and not player.uid:
        raise FacepackError(f"no ID ({profile.title} names portraits by the person's unique ID)")
    template = (profile.padded_file_name or profile.file_name) if padded else profile.file_name
    b = player.birth_date
    if b is None and ("{d" in template or "{m" in template or "{yyyy}" in template):
        raise FacepackError(f"no birth date ({profile.title} names portraits by name and birth date)")
    parts = {
        "first": clean_part(player.first),
        "last": clean_part(player.last),
        "d": str(b.day) if b else "",
        "m": str(b.month) if b else "",
        "dd": f"{b.day:02d}" if b else "",
        "mm": f"{b.month:02d}" if b else "",
        "yyyy": f"{b.year:04d}" if b else "",
        "uid": player.uid or "",
    }
    # Over-long names lose characters from the end of the longer name part until they fit; no part
    # can be longer than a whole file name, so that happens at most a few hundred times.
    parts["first"], parts["last"] = parts["first"][:MAX_NAME_BYTES], parts["last"][:MAX_NAME_BYTES]
    while (name := _fits(template, parts, profile.extension)) is None:
        longer = "first" if len(parts["first"]) >= len(parts["last"]) else "last"
        if not parts[longer]:
            raise FacepackError("name cannot be shortened to fit a file name")
        parts[longer] = parts[longer][:-1].rstrip()
    return name


def inside_pack(pack: Path, relative: str) -> Path:
    """pack/relative for a '/'-separated path inside the pack (a profile's folder, then a file name)."""
    target = pack
    for part in relative.split("/"):
        target = inside(target, part)
    return target


def inside(folder: Path, name: str) -> Path:
    """folder/name, refusing any name that would land anywhere but directly inside folder."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise FacepackError(f"unsafe file name {name!r}")
    target = folder / name
    if target.parent != folder:
        raise FacepackError(f"unsafe file name {name!r}")
    return target


def person_key(stem: str) -> str:
    """Who a portrait's file stem names, as a game matches it: `Oskar_Björk_3_1_2006`,
    `oskar_björk_03_01_2006` and a decomposed-accent spelling are one person (name
    case-insensitive in NFC, birth date as a date); any other stem (an FM unique ID) is
    itself, case-insensitively."""
    text = unicodedata.normalize("NFC", stem).casefold()
    m = _DATED.match(text)
    if m:
        try:
            born = date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            return text
        return f"{m['name']}_{born.isoformat()}"
    return text


def birth_date_in(stem: str) -> date | None:
    """The birth date an EHM-style stem ends with (`…_D_M_YYYY`, padded or not), if any."""
    m = _DATED.match(stem)
    if not m:
        return None
    try:
        return date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
