"""Which players already have a face in an installed facepack (--existing DIR).

Matched the way the games match: by file stem (EHM's First_Last_DD_MM_YYYY, FM's
unique ID), ignoring case and extension because Windows does, and by the IDs an
FM pack's config.xml maps.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from facepack.config_xml import mapped_uids
from facepack.errors import FacepackError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tga", ".gif", ".webp", ".tif", ".tiff"}


def stem_key(stem: str) -> str:
    return unicodedata.normalize("NFC", stem).casefold()


@dataclass
class ExistingFaces:
    stems: dict[str, Path] = field(default_factory=dict)  # stem key -> the pack folder holding it
    uids: dict[str, Path] = field(default_factory=dict)

    def find(self, stem: str, uid: str | None) -> Path | None:
        """The installed pack that already has this face, if any."""
        hit = self.stems.get(stem_key(stem))
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
                faces.stems.setdefault(stem_key(path.stem), folder)
            elif path.name.lower() == "config.xml":
                for uid in mapped_uids(path):
                    faces.uids.setdefault(uid, folder)
    return faces
