"""Edge refinement: a coarse matte from the network, made exact at full resolution.

The network sees a downscaled image; its matte, scaled back up, is soft and a
little off. A guided filter (He et al.) re-fits it to the full-resolution image's
own edges, but only in a band around the coarse edge and never where the coarse
matte is certainly background, so refinement sharpens an edge without growing the
subject into the background. Then islands and holes are cleaned (the subject is one
region touching the bottom edge).
"""

from __future__ import annotations

import cv2
import numpy as np

from facepack.segmenter.cleanup import keep_subject, reachable_from_border


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """Colour-guided filter: `src` smoothed but following the edges of `guide` (HxWx3 in [0, 1])."""
    I = guide.astype(np.float32)
    p = src.astype(np.float32)
    k = (2 * radius + 1, 2 * radius + 1)

    def box(x):
        return cv2.boxFilter(x, -1, k, borderType=cv2.BORDER_REFLECT)

    mean_i, mean_p = box(I), box(p)
    cov_ip = box(I * p[..., None]) - mean_i * mean_p[..., None]
    var = np.empty(I.shape[:2] + (3, 3), np.float32)
    for a in range(3):
        for b in range(a, 3):
            var[..., a, b] = var[..., b, a] = box(I[..., a] * I[..., b]) - mean_i[..., a] * mean_i[..., b]
    var += eps * np.eye(3, dtype=np.float32)
    coef = np.linalg.solve(var, cov_ip[..., None])[..., 0]
    offset = mean_p - np.einsum("hwc,hwc->hw", coef, mean_i)
    return np.einsum("hwc,hwc->hw", box(coef), I) + box(offset)


def edge_band(alpha: np.ndarray, width: int) -> np.ndarray:
    """Pixels within `width` of where the matte changes between subject and background."""
    solid = (alpha > 0.5).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 1, 2 * width + 1))
    return (cv2.dilate(solid, kernel) - cv2.erode(solid, kernel)) > 0


def refine(
    image: np.ndarray, coarse: np.ndarray, background: tuple[int, int, int] | None = None, eps: float = 1e-4
) -> np.ndarray:
    """The coarse matte fitted to the image's edges. With `background` (the colour the image was
    made on, when known), background-coloured pixels the border reaches are cleared outright."""
    radius = max(1, round(image.shape[0] / 32))
    fitted = np.clip(guided_filter(image.astype(np.float32) / 255.0, coarse, radius, eps), 0.0, 1.0)
    zone = edge_band(coarse, 2 * radius + 1)
    out = np.where(zone, fitted, coarse).astype(np.float32)
    # Where the coarse matte says "certainly background", refinement may not add subject.
    clear = coarse < 0.02
    out[clear] = np.minimum(out[clear], coarse[clear])
    if background is not None:
        out[pure_background(image, background)] = 0.0
    return keep_subject(out)


def pure_background(image: np.ndarray, background: tuple[int, int, int], tolerance: float = 3.0) -> np.ndarray:
    """Pixels of exactly the background colour (within rounding) that the image border reaches through such pixels."""
    near = np.linalg.norm(image.astype(np.float32) - np.asarray(background, np.float32), axis=2) <= tolerance
    return reachable_from_border(near)
