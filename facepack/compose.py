"""From a generated image and its matte to a finished portrait of the game's size.

The generator paints on a known background colour; before the cut-out goes onto
any other background, the foreground colour of each edge pixel is recovered
(the background's share is taken out), so no UI blue rim shows on white or on a
transparent background. On the UI blue itself the result equals the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from facepack.core.errors import FacepackError
from facepack.core.matting import fit, foreground
from facepack.profiles import GameProfile


@dataclass(frozen=True)
class Background:
    rgb: tuple[int, int, int] | None  # None: transparent

    @property
    def transparent(self) -> bool:
        return self.rgb is None


def parse_background(spec: str, profile: GameProfile) -> Background:
    """'ui' (the game's interface colour), 'transparent', or '#RRGGBB'."""
    s = spec.strip().lower()
    if s == "ui":
        return Background(profile.ui_colour)
    if s == "transparent":
        return Background(None)
    m = re.fullmatch(r"#?([0-9a-f]{6})", s)
    if not m:
        raise FacepackError(f"--background {spec!r}: use ui, transparent or #RRGGBB")
    h = m.group(1)
    return Background((int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)))


def composite(image: np.ndarray, alpha: np.ndarray, source_bg, background: Background) -> np.ndarray:
    """RGB uint8 on a colour, or RGBA uint8 when the background is transparent."""
    fg = foreground(image, alpha, source_bg)
    if background.transparent:
        a8 = np.rint(alpha * 255).astype(np.uint8)
        rgb = np.where(a8[..., None] > 0, np.rint(fg), 0).astype(np.uint8)
        return np.dstack([rgb, a8])
    bg = np.asarray(background.rgb, np.float32)
    out = fg * alpha[..., None] + bg * (1.0 - alpha[..., None])
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def compose_portrait(
    image: np.ndarray, alpha: np.ndarray, source_bg: tuple[int, int, int], profile: GameProfile, background: Background
) -> np.ndarray:
    image, alpha = fit(image, alpha, profile.size)
    return composite(image, alpha, source_bg, background)
