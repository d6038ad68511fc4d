"""Which players already have a face: in an installed facepack (--existing DIR), or in the pack itself.

Matched the way the games match, by person: EHM's `First_Last_D_M_YYYY` read as a
name (case-insensitive, NFC) and a birth date, whatever the padding or extension,
so `oskar_björk_03_01_2006.jpg` covers `Oskar_Björk_3_1_2006.png`; FM's unique ID as
the file name, or as an installed pack's config.xml maps it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from facepack.config_xml import mapped_uids
from facepack.core.errors import FacepackError
from facepack.naming import person_key

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tga", ".gif", ".webp", ".tif", ".tiff"}


def stem_key(stem: str) -> str:
    return unicodedata.normalize("NFC", stem).casefold()


def is_portrait_file(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".") and path.is_file()


@dataclass
class ExistingFaces:
    people: dict[str, Path] = field(default_factory=dict)  # person key -> the pack folder holding their face
    uids: dict[str, Path] = field(default_factory=dict)

    def find(self, key: str, uid: str | None) -> Path | None:
        """The installed pack that already has this person's face, if any."""
        hit = self.people.get(key)
        if hit is None and uid:
            hit = self.uids.get(uid)
        return hit


def scan_existing(folders: list[Path]) -> ExistingFaces:
    faces = ExistingFaces()
    for folder in folders:
        if not folder.is_dir():
            raise FacepackError(f"--existing {folder}: no such folder")
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
                faces.people.setdefault(person_key(path.stem), folder)
            elif path.name.lower() == "config.xml":
                for uid in mapped_uids(path):
                    faces.uids.setdefault(uid, folder)
    return faces


def own_portraits(folders: list[Path]) -> dict[str, Path]:
    """The portraits already in a pack's own folders, by person key (the first by name where two
    files name one person), so an earlier version's pack is completed rather than duplicated."""
    found: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if is_portrait_file(path) and path.name != "preview.png":
                found.setdefault(person_key(path.stem), path)
    return found
