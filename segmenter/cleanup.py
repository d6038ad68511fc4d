"""Matte clean-up that holds for every portrait: the subject is one region touching the bottom edge."""

from __future__ import annotations

import cv2
import numpy as np


def keep_subject(alpha: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Drop islands not connected to the bottom edge and fill holes inside the subject.

    A hole is background enclosed by the subject (it cannot reach the image border):
    in a head-and-shoulders portrait that is subject colour that merely looks like the
    background, such as dark hair against the UI blue.
    """
    solid = (alpha >= threshold).astype(np.uint8)
    count, labels = cv2.connectedComponents(solid, connectivity=8)
    if count <= 1:
        return np.zeros_like(alpha)
    bottom = np.unique(labels[-1][solid[-1] > 0])
    keep = np.isin(labels, bottom[bottom > 0]) if len(bottom) else labels == _largest(labels, count)
    # Soft edge pixels next to a kept region stay; everything else outside it goes.
    near = cv2.dilate(keep.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    out = np.where(near, alpha, 0.0).astype(np.float32)

    background = ~keep
    out[background & ~reachable_from_border(background)] = 1.0
    return out


def _largest(labels: np.ndarray, count: int) -> int:
    sizes = np.bincount(labels.ravel(), minlength=count)
    sizes[0] = 0
    return int(np.argmax(sizes))


def reachable_from_border(mask: np.ndarray) -> np.ndarray:
    """The pixels of `mask` connected (4-way, within the mask) to the image border."""
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=4)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return np.isin(labels, border[border > 0])
