from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from facepack.build import BuildOptions

SEASON = date(2026, 11, 21)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def season() -> date:
    return SEASON


def write_roster(folder: Path, text: str, name: str = "league.csv", encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


SMALL_EHM = """\
41000001,Oskar,Björk,03.01.2006,SWE,Gulls,LW,14,Player
41000002,Moritz,Weiß,3.1.1992,GER,Gulls,C,55,Player
41000003,Jack,Reilly,27.01.1999,USA,Gulls,RW,17,Player
41000004,Gord,Pettersen,14.03.1961,CAN,Gulls,Coach,,Non-Player
41000005,Chidi,Okafor,12.12.1987,NGA,Gulls,D,4,Player/Non-Player
"""


@pytest.fixture
def small_roster(tmp_path: Path) -> Path:
    return write_roster(tmp_path, SMALL_EHM)


@pytest.fixture
def options(tmp_path: Path, small_roster: Path):
    """Build options for a tiny, fast build: the painter on a small canvas, fixed season, the colour
    key (the learned models' own build tests name them)."""

    def make(**kw) -> BuildOptions:
        base = dict(
            roster=small_roster,
            out=tmp_path / "packs",
            season=SEASON,
            generator="painter",
            generator_size=96,
            batch_size=2,
            segmenter="chroma",
        )
        base.update(kw)
        return BuildOptions(**base)

    return make
