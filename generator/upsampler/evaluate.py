"""`facepack evaluate upsampler MODEL DATA`: the upsampler against the cubic filter it replaces.

The dataset's held-out portraits are halved (area filter) and doubled back, by the model and by
the cubic filter the learned generator used before it, and each result is compared with the
portrait itself: the mean absolute error (0-255 levels), and issue 21's sharpness (variance of
the Laplacian over the face at the pack's 200 px, generator.measures) as a ratio to the
portrait's. A perfect upsampler scores error 0 and sharpness 1; a filter stays below 0.5.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from facepack.core.records import load_arrays
from facepack.generator.measures import sharpness


def doubled(model, halves: np.ndarray, batch: int = 8) -> list[np.ndarray]:
    """uint8 RGB portraits doubled by the upsampler, uint8 again."""
    out = np.asarray(model.predict(halves.astype(np.float32) / 127.5 - 1.0, batch_size=batch, verbose=0))
    return [np.clip(np.rint((o + 1.0) * 127.5), 0, 255).astype(np.uint8) for o in out]


def evaluate_upsampler(model, data: Path, limit: int | None = None) -> dict:
    images = load_arrays(data, "test", limit=limit)[0]
    n = images.shape[1]
    halves = np.stack([cv2.resize(i, (n // 2, n // 2), interpolation=cv2.INTER_AREA) for i in images])
    ways = {"model": doubled(model, halves), "cubic": [cv2.resize(h, (n, n), interpolation=cv2.INTER_CUBIC) for h in halves]}
    reference = float(sharpness(list(images)).mean())
    out: dict = {"images": len(images), "resolution": n}
    for name, made in ways.items():
        out[name] = {
            "mean_abs_error": round(float(np.mean([np.abs(m.astype(np.int16) - i).mean() for m, i in zip(made, images)])), 3),
            "sharpness_ratio": round(float(sharpness(made).mean()) / max(reference, 1e-9), 3),
        }
    return out
