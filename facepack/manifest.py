"""manifest.csv: one row per roster line, saying what became of it."""

from __future__ import annotations

import csv
import re
from contextlib import contextmanager
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Callable, Iterator

from facepack.core.atomic import writing_text


@dataclass(frozen=True)
class ManifestRow:
    line: int
    name: str
    birth_date: str
    id: str
    file: str
    seed: str
    age_group: str
    status: str  # built, kept or skipped
    reason: str


# Control characters (a raw NUL among them) make a CSV that spreadsheets and csv readers choke on.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\udc80-\udcff]")


def _cell(value) -> str:
    return _CONTROL.sub("\ufffd", str(value))


@contextmanager
def writing_manifest(path: Path) -> Iterator[Callable[[ManifestRow], None]]:
    """A manifest written row by row as a build hands them on, in line order, so that a
    whole-database build never holds its rows; it appears complete when the block ends, or not at
    all."""
    with writing_text(path) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([f.name for f in fields(ManifestRow)])
        yield lambda row: writer.writerow([_cell(v) for v in astuple(row)])


def read_rows(path: Path) -> list[ManifestRow]:
    """A manifest read back into rows."""
    names = {f.name for f in fields(ManifestRow)}
    return [ManifestRow(**{k: int(v) if k == "line" else v for k, v in r.items() if k in names}) for r in read_manifest(path)]


def read_manifest(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
