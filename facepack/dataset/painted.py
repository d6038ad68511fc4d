"""Painted training data: the painter's portraits with their exact mattes and labels."""

from __future__ import annotations

from functools import partial
from typing import Iterator

import numpy as np

from facepack.core.processes import in_processes
from facepack.core.records import Sample
from facepack.generator.base import UI_BLUE, age_group
from facepack.generator.painter import paint, sample_look
from facepack.generator.painter.look import Look, appearance_table
from facepack.generator.traits import traits_of
from facepack.players import face_seed

# The ages a pack asks for: players to their late forties (the held-out players the learned
# generator is measured on span 17-49). Painted data stopped at 40 until this version, and a
# network trained on it drew 41-49-year-olds grey half as often as the painter (22 % against
# 47 %), the largest gap of any age band and attribute.
MIN_AGE, MAX_AGE = 17.0, 49.0


def painted_samples(count: int, size: int, seed: int = 0, start: int = 0, workers: int = 1) -> Iterator[Sample]:
    """Sample i is a function of (seed, i) alone, so a split can be extended or remade exactly,
    and painting it in `workers` processes gives the same samples in the same order."""
    make = partial(painted_sample, size=size, seed=seed)
    yield from in_processes(make, range(start, start + count), workers if count >= 2 * workers else 1)


def painted_look(i: int, seed: int) -> tuple[str, Look]:
    """Sample i's nationality and look: what it is drawn from, without drawing it."""
    nations = sorted(appearance_table()["nationalities"])
    s = face_seed(f"painter:{i}", seed)
    rng = np.random.default_rng(s)
    age = float(rng.uniform(MIN_AGE, MAX_AGE))
    nation = nations[int(rng.integers(len(nations)))]
    return nation, sample_look(s, age, nation)


def painted_sample(i: int, size: int, seed: int) -> Sample:
    nation, look = painted_look(i, seed)
    image, alpha = paint(look, size, UI_BLUE)
    source = f"painter:{seed}:{i}"
    return Sample(image, alpha, age_group(look.age), look.region, nation, source, look.complexion, traits_of(look))
