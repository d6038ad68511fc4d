"""Face generators: a batch of players in, a batch of portraits on a known background out."""

from __future__ import annotations

from pathlib import Path

from facepack.generator.base import (
    AGE_GROUPS,
    DEFAULT_PSI,
    UI_BLUE,
    FaceGenerator,
    FaceRequest,
    Portrait,
    age_group,
)

GENERATORS = ("learned", "painter")
# What build, morph and `facepack models` use unless told otherwise: one place decides. The
# shipped learned generator took over once it passed its two-sample test (its measures are in
# generator/models/face_gan.json); the painter stays one flag away.
DEFAULT_GENERATOR = "learned"


def load_generator(
    name: str = DEFAULT_GENERATOR, *, size: int = 256, model: Path | None = None, psi: float = DEFAULT_PSI
) -> FaceGenerator:
    """Return a ready generator by name. Raises ValueError for an unknown name, FileNotFoundError
    for a missing model. `learned` takes `model` (a .keras file from `facepack train generator`),
    else the one shipped in generator/models."""
    if name == "painter":
        from facepack.generator.painter import PainterGenerator

        return PainterGenerator(size=size)
    if name == "learned":
        from facepack.generator.learned import LearnedGenerator

        return LearnedGenerator(model, size=size, psi=psi)
    raise ValueError(f"unknown generator {name!r} (choose from: {', '.join(GENERATORS)})")


__all__ = [
    "AGE_GROUPS",
    "DEFAULT_PSI",
    "UI_BLUE",
    "FaceGenerator",
    "FaceRequest",
    "Portrait",
    "age_group",
    "load_generator",
    "GENERATORS",
    "DEFAULT_GENERATOR",
]
