"""Colour key against the known background: the named baseline for cut-outs.

Background is what can be reached from the image border through pixels close to
the background colour (a flood fill), so dark hair or a shadowed neck inside the
subject stays subject even when its colour is near the UI blue. On the edge
between the two, the matte is the fraction of the way from the background colour
to the colour of the nearby solid subject, which is exact for a sharp edge over a
uniform background. Spill (the background's colour on those edge pixels) is
removed at compositing, where the foreground colour is recovered.
"""

from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

from facepack.segmenter.cleanup import keep_subject, reachable_from_border


class ChromaKeySegmenter:
    name = "chroma"

    def __init__(self, background: tuple[int, int, int], loose: float = 18.0, clear: float = 6.0):
        self.background = np.asarray(background, np.float32)
        self.loose = loose  # RGB distance under which a pixel may be background, if the border reaches it
        self.clear = clear  # RGB distance under which background is certainly pure background

    def matte(self, images: Sequence[np.ndarray]) -> list[np.ndarray]:
        return [self._one(image) for image in images]

    def _one(self, image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        diff = image.astype(np.float32) - self.background
        dist = np.linalg.norm(diff, axis=2)

        open_bg = reachable_from_border(dist < self.loose)
        edge_width = max(1, round(h / 128))
        near_bg = cv2.dilate(open_bg.astype(np.uint8), np.ones((2 * edge_width + 1,) * 2, np.uint8)) > 0
        inner = (~near_bg).astype(np.float32)

        # The subject's colour next to each edge pixel: a blur of the inner pixels, normalised.
        sigma = 2.0 * edge_width
        weight = cv2.GaussianBlur(inner, (0, 0), sigma)
        fg = cv2.GaussianBlur(diff * inner[..., None], (0, 0), sigma) / np.maximum(weight, 1e-4)[..., None]
        projected = np.einsum("hwc,hwc->hw", diff, fg) / np.maximum(np.einsum("hwc,hwc->hw", fg, fg), 1.0)
        projected = np.clip(np.where(weight > 1e-3, projected, 0.0), 0.0, 1.0)

        alpha = np.where(near_bg, projected, 1.0).astype(np.float32)
        alpha[open_bg & (dist < self.clear)] = 0.0
        return keep_subject(alpha)
