"""Painted training data: the painter's portraits with their exact mattes and labels."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from facepack.core.records import Sample
from facepack.generator.base import UI_BLUE, age_group
from facepack.generator.painter import paint, sample_look
from facepack.generator.painter.look import appearance_table
from facepack.generator.traits import traits_of
from facepack.players import face_seed

MIN_AGE, MAX_AGE = 17.0, 40.0


def painted_samples(count: int, size: int, seed: int = 0, start: int = 0) -> Iterator[Sample]:
    """Sample i is a function of (seed, i) alone, so a split can be extended or remade exactly."""
    nations = sorted(appearance_table()["nationalities"])
    for i in range(start, start + count):
        s = face_seed(f"painter:{i}", seed)
        rng = np.random.default_rng(s)
        age = float(rng.uniform(MIN_AGE, MAX_AGE))
        nation = nations[int(rng.integers(len(nations)))]
        look = sample_look(s, age, nation)
        image, alpha = paint(look, size, UI_BLUE)
        source = f"painter:{seed}:{i}"
        yield Sample(image, alpha, age_group(age), look.region, nation, source, look.complexion, traits_of(look))
