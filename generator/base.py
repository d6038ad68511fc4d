"""The seam between pack assembly and face generators.

A generator takes a batch of requests (who the player is, how old, where from)
and returns a batch of portraits painted on its own background colour. Pack
assembly never looks inside; it only needs the images and the colour behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from facepack.core.game import AGE_GROUPS, UI_BLUE, age_group

# Truncation of the learned generator, as the earlier tool used it: each face pulled 20 % of the
# way toward its own age group's and complexion's mean. One place: build, morph and evaluate use it.
DEFAULT_PSI = 0.8


@dataclass(frozen=True)
class FaceRequest:
    """One face to make. `seed` alone decides the randomness of this face."""

    seed: int
    age: float
    nationality: str | None = None
    # What an FM export tells of a player's appearance, when it does (None: unknown).
    second_nationality: str | None = None
    skin_tone: int | None = None  # 1 (lightest) .. 20 (darkest)
    ethnicity: int | None = None  # FM's code, 0..10 (appearance.json's `ethnicities`)
    # Another face for the same player (build's re-draw of a look-alike): who the player is
    # (region, skin, complexion, when greying starts) stays with the seed; the face changes.
    variant: int = 0

    @property
    def age_group(self) -> str:
        return age_group(self.age)


@dataclass(frozen=True)
class Portrait:
    """A generated portrait: square RGB uint8 on `background`.

    `matte` is the exact alpha when the generator knows it (the painter does); it
    is ground truth for training and tests, while build always asks a segmenter.
    """

    image: np.ndarray
    background: tuple[int, int, int]
    matte: np.ndarray | None = None


class FaceGenerator(Protocol):
    name: str
    background: tuple[int, int, int]

    def generate(self, requests: Sequence[FaceRequest]) -> list[Portrait]: ...


__all__ = ["AGE_GROUPS", "DEFAULT_PSI", "UI_BLUE", "FaceGenerator", "FaceRequest", "Portrait", "age_group"]
