"""manifest.csv: one row per roster line, saying what became of it."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from facepack.core.atomic import write_text


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


def write_manifest(path: Path, rows: list[ManifestRow]) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([f.name for f in fields(ManifestRow)])
    for row in sorted(rows, key=lambda r: r.line):
        writer.writerow([_cell(v) for v in astuple(row)])
    write_text(path, buf.getvalue())


def read_manifest(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
