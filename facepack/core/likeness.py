"""Are two portraits the same face? A colour thumbnail of the face area, compared by RMS distance.

Painted and generated players share one layout and differ mostly in colour (skin,
hair, eyes, beard), which greyscale hashes ignore, so the code is the face area
(the upper middle of a bottom-anchored portrait) shrunk to 8x8 in CIE Lab. Measured
on 300 painted players: the closest of 44,850 pairs of different people were 3.8
apart (median 24); the same face re-encoded as JPEG (quality 85) with noise stays
within 0.8. NEAR_DUPLICATE = 2.0 sits between the two.
"""

from __future__ import annotations

import itertools
from typing import Sequence

import cv2
import numpy as np

NEAR_DUPLICATE = 2.0
# Two different players closer than this read as one person. Calibrated by eye on the closest
# pairs of 600 held-out players through both generators (benchmarks/sheet_closest_pairs.py,
# docs/closest_pairs.png): every pair under 4 read as one person, most pairs of 4-6 did (nearly
# all of the learned generator's grey veterans, some painted pairs), pairs over 6 read as two
# people of one type. At 5, 6 % of 600 painted players have such a neighbour and 40 % of the
# first learned generator's do (generator/measures.py). With the lightness adapted to each face
# (face_code), Nigerian pairs of 4-6 read as one person as often as Swedish ones: of 400
# painted players each, 7.5 % and 4 % have such a neighbour.
SAME_PERSON = 5.0


def face_area(image: np.ndarray) -> np.ndarray:
    """The upper middle of a bottom-anchored portrait, where the face is (a view, not a copy)."""
    h, w = image.shape[:2]
    return image[int(0.1 * h) : int(0.75 * h), int(0.25 * w) : int(0.75 * w)]


# The eye adapts to a face's own lightness: between two dark faces it sees a bald head against a
# crop, or a beard against none, as plainly as between two fair ones, where raw Lab lightness
# differences are a third as large. So the lightness pattern of a face darker than a typical
# fair one (mean L ADAPTED_L, 8-bit Lab, of the face area on the UI blue) is stretched about its
# own mean by ADAPTED_L / mean, at most MAX_GAIN; its mean and its colour are kept as they are.
# Without it, 53 % of 400 painted Nigerian players had a neighbour under SAME_PERSON (Swedish
# 4 %), pairs as unlike as a bearded bald head and a clean-shaven crop among them, and build
# re-drew 56 of a 300-player Nigerian roster against 2 of the same roster as Swedes.
ADAPTED_L = 110.0
MAX_GAIN = 2.5


def face_code(image: np.ndarray) -> np.ndarray:
    face = np.ascontiguousarray(face_area(image)[..., :3])
    lab = cv2.cvtColor(face, cv2.COLOR_RGB2LAB).astype(np.float32)
    code = cv2.resize(lab, (8, 8), interpolation=cv2.INTER_AREA)
    lightness = code[..., 0]
    mean = float(lightness.mean())
    if mean < ADAPTED_L:  # a fair face's code stays exactly raw Lab
        gain = min(MAX_GAIN, ADAPTED_L / max(mean, 1.0))
        code[..., 0] = np.clip(mean + (lightness - mean) * gain, 0.0, 255.0)
    return code.ravel()


def distances(codes: np.ndarray) -> np.ndarray:
    """RMS distance between every pair of codes (an N x N matrix)."""
    sq = (codes**2).sum(axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * codes @ codes.T, 0.0) / codes.shape[1]
    return np.sqrt(d2)


def nearest_distances(images: Sequence[np.ndarray]) -> np.ndarray:
    """Each image's distance to its nearest other image (two images or more)."""
    d = distances(np.stack([face_code(i) for i in images]).astype(np.float64))
    np.fill_diagonal(d, np.inf)
    return d.min(axis=1)


def near_duplicate_rate(images: list[np.ndarray], threshold: float = NEAR_DUPLICATE) -> float:
    """The share of images with another image within `threshold`."""
    if len(images) < 2:
        return 0.0
    return float((nearest_distances(images) < threshold).mean())


def _key_parts() -> list[np.ndarray]:
    """Which of a code's 192 values (8x8 cells x Lab) each index key averages: the lightness of the
    face area's four quarters (hair, brows and eyes, cheeks, mouth and beard), and the whole area's
    two colour channels. These spread painted and generated faces far more than three means do."""
    cells = np.arange(8 * 8 * 3).reshape(8, 8, 3)
    halves = (slice(0, 4), slice(4, 8))
    return [cells[r, c, 0].ravel() for r in halves for c in halves] + [cells[..., 1].ravel(), cells[..., 2].ravel()]


class _Cell:
    """The codes of one index cell, in blocks filled in place (no re-stacking per query). The index
    is most of what a whole-database build holds per face, so a code is kept in 16-bit fixed point
    (STEP, 384 bytes where float32 took 768) and a block grows by GROW rows up to BLOCK, never
    leaving more than GROW rows unused per cell (doubling left up to half of each cell's last
    block empty: 1.5 rows allocated per face at 3,000 painted faces)."""

    BLOCK = 256  # rows: 96 KB a block
    GROW = 32

    def __init__(self, size: int):
        self.blocks = [np.empty((8, size), np.uint16)]
        self.n = 0  # rows filled in the last block

    def add(self, kept: np.ndarray) -> None:
        last = self.blocks[-1]
        if self.n == len(last):
            if len(last) < self.BLOCK:
                grown = np.empty((min(self.BLOCK, len(last) + self.GROW), last.shape[1]), np.uint16)
                grown[: len(last)] = last
                self.blocks[-1] = last = grown
            else:
                self.blocks.append(last := np.empty((min(self.GROW, self.BLOCK), last.shape[1]), np.uint16))
                self.n = 0
        last[self.n] = kept
        self.n += 1

    def nearest(self, scaled: np.ndarray) -> float:
        """RMS distance, in code units, from a code times 1/STEP to the nearest stored one."""
        # Each row's distance is summed as it was in one array: the least of the blocks' least is the same number.
        filled = [*self.blocks[:-1], self.blocks[-1][: self.n]]
        return min(float(np.sqrt(((b - scaled) ** 2).mean(axis=1)).min()) for b in filled) * STEP


STEP = 1.0 / 256  # a stored code value's unit: Lab values 0-255 to within 1/512


def stored(code: np.ndarray) -> np.ndarray:
    """A code as the index keeps it: each value rounded to STEP. Distances move by at most
    STEP / 2 = 0.002 (SAME_PERSON is 5; a face re-encoded as JPEG moves 0.8)."""
    return np.clip(np.rint(np.asarray(code, np.float32) / STEP), 0, 65535).astype(np.uint16)


class FaceIndex:
    """The faces of a pack so far, for "is a new one too close to any?" without comparing it with every
    face: codes are bucketed on six averages of their values (`_key_parts`).

    Exact, not approximate: two codes within RMS distance t differ in an average over m of their D
    values by less than t * sqrt(D / m) (Cauchy-Schwarz). Cells are twice that wide, so every such
    neighbour sits in the query's cell or, along a key where the query lies nearer than that to the
    cell's edge, the cell next to it; `too_close` answers exactly as comparing with every kept code
    would. Codes are kept to within 1/512 a value (`stored`): a distance moves by at most 0.002,
    which changed no face of the packs compared (README, Speed). Measured in
    benchmarks/bench_likeness.py."""

    def __init__(self, threshold: float = NEAR_DUPLICATE, size: int = 192):
        self.threshold = threshold
        self.parts = _key_parts()
        self.reach = np.array([threshold * np.sqrt(size / len(p)) for p in self.parts])
        self.width = 2.0 * self.reach
        self.size = size
        self.cells: dict[tuple[int, ...], _Cell] = {}
        self.count = 0

    def _position(self, code: np.ndarray) -> np.ndarray:
        return np.array([code[p].mean() for p in self.parts]) / self.width

    def add(self, code: np.ndarray) -> None:
        kept = stored(code)
        # Bucketed by the code as kept, so that the search below is exact over the kept codes.
        key = tuple(int(k) for k in np.floor(self._position(kept.astype(np.float32) * STEP)))
        self.cells.setdefault(key, _Cell(self.size)).add(kept)
        self.count += 1

    def nearest(self, code: np.ndarray) -> float:
        """RMS distance to the nearest face (as kept) if one is within the threshold; else at least
        the threshold (inf when no face is even in a cell it could be in)."""
        pos = self._position(code)
        key = np.floor(pos)
        edge = self.reach / self.width  # how near a cell edge, in cells, a neighbour could reach across
        steps = [[0] + ([-1] if f < e else []) + ([1] if 1.0 - f < e else []) for f, e in zip(pos - key, edge)]
        scaled = np.asarray(code, np.float32) / STEP
        best = float("inf")
        for offset in itertools.product(*steps):
            cell = self.cells.get(tuple(int(k + o) for k, o in zip(key, offset)))
            if cell is not None:
                best = min(best, cell.nearest(scaled))
        return best

    def too_close(self, code: np.ndarray) -> bool:
        return self.nearest(code) < self.threshold
