"""Face generators: a batch of players in, a batch of portraits on a known background out."""
from __future__ import annotations

from pathlib import Path

from generator.base import AGE_GROUPS, UI_BLUE, FaceGenerator, FaceRequest, Portrait, age_group

GENERATORS = ("painter",)


def load_generator(name: str = "painter", *, size: int = 256, model: Path | None = None) -> FaceGenerator:
    """Return a ready generator by name. Raises ValueError for an unknown name."""
    if name == "painter":
        from generator.painter import PainterGenerator

        return PainterGenerator(size=size)
    raise ValueError(f"unknown generator {name!r} (choose from: {', '.join(GENERATORS)})")


__all__ = [
    "AGE_GROUPS",
    "UI_BLUE",
    "FaceGenerator",
    "FaceRequest",
    "Portrait",
    "age_group",
    "load_generator",
    "GENERATORS",
]
