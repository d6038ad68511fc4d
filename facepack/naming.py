"""File names a game will match, and that are safe on every file system a modder uses.

EHM matches a portrait by `First_Last_DD_MM_YYYY.png`; FM by the unique ID. Names
are kept as spelled (accents too: NTFS stores UTF-8 names fine) but characters
Windows forbids are replaced, reserved device names are defused, and the name is
kept within 255 bytes, so that a pack made on Linux unzips on Windows.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from facepack.errors import FacepackError
from facepack.players import Player
from facepack.profiles import GameProfile

MAX_NAME_BYTES = 255
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def clean_part(text: str) -> str:
    """One name part: NFC, forbidden characters replaced by '-', whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    return " ".join(_FORBIDDEN.sub("-", text).split())


def safe_stem(stem: str) -> str:
    """A whole stem: no trailing dots or spaces (Windows drops them), no reserved device name."""
    stem = stem.rstrip(". ")
    if not stem or stem in (".", ".."):
        stem = "_"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    return stem


def _fits(parts: dict[str, str], profile: GameProfile) -> str | None:
    name = safe_stem(profile.file_name.format(**parts)) + profile.extension
    return name if len(name.encode("utf-8")) <= MAX_NAME_BYTES else None


def file_name(player: Player, profile: GameProfile) -> str:
    """The portrait's file name for this game; FacepackError if the profile needs an ID it lacks."""
    if profile.requires_id and not player.uid:
        raise FacepackError(f"no ID ({profile.title} names portraits by the person's unique ID)")
    b = player.birth_date
    parts = {
        "first": clean_part(player.first),
        "last": clean_part(player.last),
        "dd": f"{b.day:02d}",
        "mm": f"{b.month:02d}",
        "yyyy": f"{b.year:04d}",
        "uid": player.uid or "",
    }
    # Over-long names lose characters from the end of the longer name part until they fit.
    while (name := _fits(parts, profile)) is None:
        longer = "first" if len(parts["first"]) >= len(parts["last"]) else "last"
        if not parts[longer]:
            raise FacepackError("name cannot be shortened to fit a file name")
        parts[longer] = parts[longer][:-1].rstrip()
    return name


def inside(folder: Path, name: str) -> Path:
    """folder/name, refusing any name that would land anywhere but directly inside folder."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise FacepackError(f"unsafe file name {name!r}")
    target = folder / name
    if target.parent != folder:
        raise FacepackError(f"unsafe file name {name!r}")
    return target
