"""`facepack morph`: the walk from one player's face to another's, as a strip of frames.

With the learned generator the walk is a straight line between the two players' w
(each truncated toward its own condition's mean). With the painter it is a blend
of the two looks: measurements and colours move smoothly, and discrete traits (hair
style, beard, collar) switch halfway.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from pathlib import Path

import numpy as np

from facepack.core.errors import FacepackError
from facepack.core.matting import fit
from facepack.generator import GENERATORS
from facepack.generator.base import FaceRequest
from facepack.generator.painter.look import Look
from facepack.players import Player
from facepack.roster import Roster


def find_player(roster: Roster, key: str) -> Player:
    """A player by ID, by 'First Last', or by file stem; one line saying why not otherwise."""
    k = key.strip().casefold()
    hits = [
        p
        for p in roster.players
        if (p.uid and p.uid == key.strip())
        or p.name.casefold() == k
        or f"{p.first}_{p.last}".casefold() == k
        or k.startswith(f"{p.first}_{p.last}_".casefold())
    ]
    if not hits:
        raise FacepackError(f"no player {key!r} in {roster.source.name} (give an ID or 'First Last')")
    if len(hits) > 1:
        lines = ", ".join(str(p.line) for p in hits)
        raise FacepackError(f"{key!r} matches several players (lines {lines}); give the ID")
    return hits[0]


def blend_looks(a: Look, b: Look, t: float) -> Look:
    return _blend(a, b, t)


def _blend(x, y, t: float):
    if is_dataclass(x):  # a Look, and the FaceShape inside it
        return replace(x, **{f.name: _blend(getattr(x, f.name), getattr(y, f.name), t) for f in fields(x)})
    if isinstance(x, (bool, str, int)):  # traits and seeds: one or the other
        return x if t < 0.5 else y
    if isinstance(x, tuple):
        return tuple(float(u + (v - u) * t) for u, v in zip(x, y))
    return float(x + (y - x) * t)


def morph_frames(a: FaceRequest, b: FaceRequest, frames: int, generator: str, model: Path | None, psi: float) -> list[np.ndarray]:
    """The frames from a's face to b's: the learned generator walks its latent space, the painter blends looks."""
    from facepack.build import check_psi

    if frames < 2:
        raise FacepackError("--frames must be at least 2")
    check_psi(psi)
    if generator not in GENERATORS:
        raise FacepackError(f"unknown generator {generator!r} (choose from: {', '.join(GENERATORS)})")
    if generator == "painter":
        return painter_frames(a, b, frames)
    from facepack.core.quiet import import_keras

    import_keras()
    from facepack.generator.learned import LearnedGenerator

    try:
        return LearnedGenerator(model, psi=psi).morph(a, b, frames)
    except FileNotFoundError as e:
        raise FacepackError(str(e)) from None


def painter_frames(a: FaceRequest, b: FaceRequest, steps: int, size: int = 256) -> list[np.ndarray]:
    from facepack.generator.base import UI_BLUE
    from facepack.generator.painter import paint
    from facepack.generator.painter.look import look_of

    la, lb = look_of(a), look_of(b)
    return [paint(blend_looks(la, lb, t), size, UI_BLUE)[0] for t in np.linspace(0.0, 1.0, steps)]


def strip(frames: list[np.ndarray], size: tuple[int, int]) -> np.ndarray:
    """The frames fitted to the portrait size (bottom-anchored), side by side."""
    tiles = [fit(f, np.ones(f.shape[:2], np.float32), size)[0] for f in frames]
    return np.concatenate(tiles, axis=1)
