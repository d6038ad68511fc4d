"""From a generated image and its matte to a finished portrait of the game's size.

The generator paints on a known background colour; before the cut-out goes onto
any other background, the foreground colour of each edge pixel is recovered
(the background's share is taken out), so no UI blue rim shows on white or on a
transparent background. On the UI blue itself the result equals the source.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from facepack.errors import FacepackError
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


def fit(image: np.ndarray, alpha: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Crop to the portrait's aspect (centred, bottom-anchored, never stretched) and resize."""
    w, h = size
    ih, iw = image.shape[:2]
    if iw * h > ih * w:  # too wide: keep the full height, centre horizontally
        cw = max(1, round(ih * w / h))
        x0 = (iw - cw) // 2
        image, alpha = image[:, x0 : x0 + cw], alpha[:, x0 : x0 + cw]
    elif iw * h < ih * w:  # too tall: keep the bottom (the shoulders anchor to the bottom edge)
        ch = max(1, round(iw * h / w))
        image, alpha = image[ih - ch :], alpha[ih - ch :]
    shrink = image.shape[1] >= w
    interp = cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
    image = cv2.resize(image, (w, h), interpolation=interp)
    alpha = cv2.resize(alpha.astype(np.float32), (w, h), interpolation=interp)
    return image, np.clip(alpha, 0.0, 1.0)


def local_background(image: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Where the background colour is not known: at each pixel, the colour of the nearby clear background."""
    clear = (alpha < 0.05).astype(np.float32)
    sigma = max(2.0, image.shape[0] / 64)
    weight = cv2.GaussianBlur(clear, (0, 0), sigma)
    blurred = cv2.GaussianBlur(image.astype(np.float32) * clear[..., None], (0, 0), sigma)
    overall = image[alpha < 0.05].mean(axis=0) if clear.any() else np.zeros(3, np.float32)
    return np.where(weight[..., None] > 1e-3, blurred / np.maximum(weight, 1e-3)[..., None], overall).astype(np.float32)


def foreground(image: np.ndarray, alpha: np.ndarray, source_bg) -> np.ndarray:
    """The subject's own colour under each pixel: I = a*F + (1-a)*B solved for F.

    `source_bg` is one colour, or an HxWx3 field of them (see local_background)."""
    img = image.astype(np.float32)
    bg = np.asarray(source_bg, np.float32)
    a = alpha[..., None]
    fg = bg + (img - bg) / np.maximum(a, 1e-3)
    # Where the matte is nearly zero the division only amplifies noise; those pixels barely show.
    return np.where(a > 0.02, np.clip(fg, 0, 255), img)


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
