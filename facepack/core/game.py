"""Game facts every layer shares: the interface colour portraits are made on, and the age groups
the learned generator is conditioned on and its training data carries."""

from __future__ import annotations

# Sampled from the EHM interface: a cut-out composited on it blends into the game.
UI_BLUE: tuple[int, int, int] = (31, 44, 56)

# (name, first age in years, first age of the next group). One place, because the
# learned generator is conditioned on these labels and its training data carries them.
AGE_GROUPS: tuple[tuple[str, float, float], ...] = (
    ("junior", 0.0, 21.0),
    ("senior", 21.0, 32.0),
    ("veteran", 32.0, 200.0),
)


def age_group(age: float) -> str:
    for name, low, high in AGE_GROUPS:
        if low <= age < high:
            return name
    return AGE_GROUPS[-1][0]
