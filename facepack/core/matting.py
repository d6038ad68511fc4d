"""The matting maths: fitting a portrait and its matte to a size, and recovering each edge pixel's
own colour from a picture made on a known (or locally seen) background colour.

Shared by pack assembly (compose), the cut-out model's training data (augment) and its
evaluation, so it lives on the ground floor.
"""

from __future__ import annotations

import cv2
import numpy as np


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
