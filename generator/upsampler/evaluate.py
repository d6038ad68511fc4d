"""`facepack evaluate upsampler MODEL DATA`: the upsampler against the cubic filter it replaces.

The dataset's held-out portraits are halved (area filter) and doubled back, by the model and by
the cubic filter the learned generator used before it, and each result is compared with the
portrait itself: the mean absolute error (0-255 levels), and issue 21's sharpness (variance of
the Laplacian over the face at the pack's 200 px, generator.measures) as a ratio to the
portrait's. A perfect upsampler scores error 0 and sharpness 1; a filter stays below 0.5.

Painted portraits are what the upsampler learned from, so it is also measured on material
nobody here made (on_people): the photographs of people that ship in packages (the photos
extra), cut to portraits, halved and doubled back the same way. There a sharpness above 1 is
detail the model invented: trained on painted portraits alone it drew their stubble dots and
hair strokes on a photographed face, up to 1.7x as much fine detail as the photograph had.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from facepack.core.photos import photos_available, portraits
from facepack.core.records import load_arrays
from facepack.generator.measures import sharpness
from facepack.generator.upsampler.model import at_size


def doubled(model, halves: np.ndarray, batch: int = 8) -> list[np.ndarray]:
    """uint8 RGB portraits doubled by the upsampler, uint8 again."""
    fixed = at_size(model, halves.shape[1:])
    out = np.asarray(fixed.predict(halves.astype(np.float32) / 127.5 - 1.0, batch_size=batch, verbose=0))
    return [np.clip(np.rint((o + 1.0) * 127.5), 0, 255).astype(np.uint8) for o in out]


def evaluate_upsampler(model, data: Path, limit: int | None = None) -> dict:
    images = load_arrays(data, "test", limit=limit)[0]
    out: dict = {"images": len(images), "resolution": images.shape[1]}
    out |= _halved_and_doubled(model, images, sharpness)
    if photos_available():
        out["people"] = on_people(model)
    return out


def on_people(model, size: int = 256) -> dict:
    """The photographs of people (core.photos.PORTRAITS) at `size`, halved and doubled back, each
    on its own (three pictures: a mean would let one's invented detail hide another's loss), and
    the largest sharpness ratio of any. Sharpness here is over the whole portrait: the painted
    face box does not fit a photograph."""
    each = {p.name: _halved_and_doubled(model, p.pixels[None], _detail) for p in portraits(size)}
    return {
        "photographs": each,
        "largest_sharpness_ratio": max(v["model"]["sharpness_ratio"] for v in each.values()),
        # Below 1: nearer the photograph than the cubic filter's doubling, on average over the pictures.
        "error_to_cubic": round(
            float(np.mean([v["model"]["mean_abs_error"] / v["cubic"]["mean_abs_error"] for v in each.values()])), 3
        ),
    }


def _detail(images) -> np.ndarray:
    """Variance of the Laplacian of each image at the pack's 200 px, in grey."""
    grey = [cv2.cvtColor(cv2.resize(i, (200, 200), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY) for i in images]
    return np.array([cv2.Laplacian(g, cv2.CV_64F).var() for g in grey])


def _halved_and_doubled(model, images: np.ndarray, detail) -> dict:
    """Error and sharpness ratio against `images` of their halves doubled by the model and by the cubic filter."""
    n = images.shape[1]
    halves = np.stack([cv2.resize(i, (n // 2, n // 2), interpolation=cv2.INTER_AREA) for i in images])
    ways = {"model": doubled(model, halves), "cubic": [cv2.resize(h, (n, n), interpolation=cv2.INTER_CUBIC) for h in halves]}
    reference = float(detail(list(images)).mean())
    out = {}
    for name, made in ways.items():
        out[name] = {
            "mean_abs_error": round(float(np.mean([np.abs(m.astype(np.int16) - i).mean() for m, i in zip(made, images)])), 3),
            "sharpness_ratio": round(float(detail(made).mean()) / max(reference, 1e-9), 3),
        }
    return out
