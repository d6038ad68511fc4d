"""Reference person masks for the real photographs of people (segmenter/people.json).

A traced polygon is only as exact as the hand that traced it, so the line is fitted to
the photograph's own edges: inside the polygon shrunk by `band` pixels is certainly
person, outside it grown by `band` certainly background, and OpenCV's GrabCut
(deterministic: its colour models start from a fixed seed) decides the band between.
The masks are 1 (person), 0 (background) and IGNORE (held things, scored neither way).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files

import cv2
import numpy as np

from facepack.core.photos import PEOPLE, read_photo

IGNORE = 255


@dataclass(frozen=True)
class Reference:
    name: str
    image: np.ndarray  # HxWx3 uint8 RGB
    mask: np.ndarray  # HxW uint8: 1 person, 0 background, IGNORE


def _filled(shape: tuple[int, int], points: list) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    if points:
        cv2.fillPoly(mask, [np.asarray(points, np.int32)], 1)
    return mask


def reference_mask(image: np.ndarray, person: list, ignore: list, band: int) -> np.ndarray:
    shape = image.shape[:2]
    traced = _filled(shape, person)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band + 1, 2 * band + 1))
    sure_fg, maybe = cv2.erode(traced, kernel), cv2.dilate(traced, kernel)
    gc = np.where(maybe > 0, np.where(traced > 0, cv2.GC_PR_FGD, cv2.GC_PR_BGD), cv2.GC_BGD).astype(np.uint8)
    gc[sure_fg > 0] = cv2.GC_FGD
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(np.ascontiguousarray(image[..., ::-1]), gc, None, bgd, fgd, 5, cv2.GC_INIT_WITH_MASK)
    mask = np.isin(gc, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8)
    mask[_filled(shape, ignore) > 0] = IGNORE
    return mask


def load_references() -> list[Reference]:
    spec = json.loads(files("facepack.segmenter").joinpath("people.json").read_text())
    out = []
    for entry in PEOPLE:
        photo = read_photo(entry)
        ann = spec["photos"][photo.name]
        out.append(Reference(photo.name, photo.pixels, reference_mask(photo.pixels, ann["person"], ann["ignore"], spec["band"])))
    return out


def agreement(matte: np.ndarray, reference: np.ndarray) -> float:
    """IoU of the matte (at 0.5) with the person mask, over the pixels not ignored."""
    scored = reference != IGNORE
    p, t = (matte > 0.5) & scored, (reference == 1) & scored
    return float((p & t).sum() / max(1, (p | t).sum()))
