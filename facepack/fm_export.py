"""Football Manager's "Print screen -> Text file" export, the roster FM users actually have.

FM has no CSV export. Modders make a custom view and print it to a text file that FM
names `.rtf` although it is plain text: a block of blank lines, a header row of
`|`-separated cells, and a dashed rule after the header and after every row:

    | UID       | Nat       | 2nd Nat   | Name                      |           |           |           |
    | --------------------------------------------------------------------------------------------------|
    | 2002098018| ESP       |           | Juan                      | 2         | 15        | 2         |
    | --------------------------------------------------------------------------------------------------|

The face tools' view (NewGAN Manager's) holds UID, Nat, 2nd Nat and Name, then three
unnamed columns: a constant, the skin tone (1-20) and the ethnicity code (0-10). Views
may add DoB, Age, Club and more; columns are known by their English header.
"""

from __future__ import annotations

import re
from typing import Iterator

_RULE = re.compile(r"^\|?\s*-{3,}\s*\|?\s*$")
# The three unnamed columns of the face tools' view, in order.
UNNAMED_VIEW_COLUMNS = ("", "Skin Tone", "Ethnicity")


def is_rich_text(text: str) -> bool:
    return text.lstrip().startswith("{\\rtf")


def _cells(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return [c.strip() for c in body.split("|")]


def looks_like_print_screen(text: str) -> bool:
    """A `|` header row followed by a dashed rule, within the first lines that hold anything."""
    lines = [ln for ln in text.splitlines()[:200] if ln.strip()][:2]
    return len(lines) == 2 and lines[0].lstrip().startswith("|") and bool(_RULE.match(lines[1].strip()))


def print_screen_rows(text: str) -> Iterator[tuple[int, list[str], str]]:
    """(line, cells, problem) in line order, one at a time (a whole-database export runs to hundreds
    of thousands of rows): the header first, as line 0, then each row, with why it cannot be read
    when it cannot ("" when it can)."""
    header: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or _RULE.match(stripped):
            continue
        if not stripped.startswith("|"):
            yield number, [], "not a row of the export (no leading |)"
            continue
        cells = _cells(stripped)
        if header is None:
            header = _name_unnamed(cells)
            yield 0, header, ""
            continue
        if len(cells) != len(header):
            yield number, cells, f"{len(cells)} cells where the header has {len(header)} (a cut or damaged row)"
            continue
        yield number, cells, ""


def _name_unnamed(header: list[str]) -> list[str]:
    """The face tools' view leaves its last three columns unnamed: give them their meaning,
    but only when there are exactly three, so another view's blanks are never misread."""
    blanks = [i for i, cell in enumerate(header) if not cell]
    if len(blanks) != len(UNNAMED_VIEW_COLUMNS):
        return header
    named = list(header)
    for i, name in zip(blanks, UNNAMED_VIEW_COLUMNS):
        named[i] = name
    return named
