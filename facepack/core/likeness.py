"""Are two portraits the same face? A colour thumbnail of the face area, compared by RMS distance.

Painted and generated players share one layout and differ mostly in colour (skin,
hair, eyes, beard), which greyscale hashes ignore, so the code is the face area
(the upper middle of a bottom-anchored portrait) shrunk to 8x8 in CIE Lab. Measured
on 300 painted players: the closest of 44,850 pairs of different people were 3.8
apart (median 24); the same face re-encoded as JPEG (quality 85) with noise stays
within 0.8. NEAR_DUPLICATE = 2.0 sits between the two.
"""

from __future__ import annotations

import cv2
import numpy as np

NEAR_DUPLICATE = 2.0


def face_code(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    face = np.ascontiguousarray(image[int(0.1 * h) : int(0.75 * h), int(0.25 * w) : int(0.75 * w), :3])
    lab = cv2.cvtColor(face, cv2.COLOR_RGB2LAB).astype(np.float32)
    return cv2.resize(lab, (8, 8), interpolation=cv2.INTER_AREA).ravel()


def distances(codes: np.ndarray) -> np.ndarray:
    """RMS distance between every pair of codes (an N x N matrix)."""
    sq = (codes**2).sum(axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * codes @ codes.T, 0.0) / codes.shape[1]
    return np.sqrt(d2)


def near_duplicate_rate(images: list[np.ndarray], threshold: float = NEAR_DUPLICATE) -> float:
    """The share of images with another image within `threshold`."""
    if len(images) < 2:
        return 0.0
    d = distances(np.stack([face_code(i) for i in images]).astype(np.float64))
    np.fill_diagonal(d, np.inf)
    return float((d.min(axis=1) < threshold).mean())


def closest(code: np.ndarray, others: list[np.ndarray]) -> tuple[int, float]:
    """Index of and distance to the nearest of `others` (-1, inf when there are none)."""
    if not others:
        return -1, float("inf")
    d = np.sqrt(((np.stack(others) - code) ** 2).mean(axis=1))
    i = int(np.argmin(d))
    return i, float(d[i])
