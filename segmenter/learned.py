"""The learned cut-out: the matte network on a downscaled copy, refined at full resolution."""

from __future__ import annotations

import threading
from importlib.resources import files
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from facepack.segmenter.refine import refine

DEFAULT_MODEL = "matte_net.keras"


def default_model_path() -> Path:
    return Path(str(files("facepack.segmenter.models").joinpath(DEFAULT_MODEL)))


class LearnedSegmenter:
    name = "learned"

    def __init__(self, model_path: Path | None = None, background: tuple[int, int, int] | None = None, batch_size: int = 8):
        from facepack.core.quiet import import_keras

        keras = import_keras()
        import facepack.segmenter.model  # noqa: F401  (registers the custom loss and metric for loading)

        self.path = Path(model_path) if model_path else default_model_path()
        if not self.path.exists():
            raise FileNotFoundError(f"segmenter model {self.path} not found")
        self.model = keras.saving.load_model(self.path, compile=False)
        self._lock = threading.Lock()
        self.size = int(self.model.input_shape[1])
        self.batch_size = batch_size
        self.background = background  # the colour the images were made on, when known

    def coarse(self, images: Sequence[np.ndarray]) -> list[np.ndarray]:
        """The network's matte at each image's own size, before refinement."""
        out: list[np.ndarray] = []
        s, b = self.size, self.batch_size
        for i in range(0, len(images), b):
            chunk = images[i : i + b]
            x = np.zeros((b, s, s, 3), np.float32)  # always a full batch: no result depends on its neighbours
            for k, img in enumerate(chunk):
                x[k] = cv2.resize(img, (s, s), interpolation=cv2.INTER_AREA)
            with self._lock:  # build makes the next batch in another thread; one call at a time
                pred = np.asarray(self.model.predict_on_batch(x))[..., 0]  # a compiled graph at one batch shape
            for k, img in enumerate(chunk):
                h, w = img.shape[:2]
                out.append(np.clip(cv2.resize(pred[k], (w, h), interpolation=cv2.INTER_LINEAR), 0.0, 1.0))
        return out

    def matte(self, images: Sequence[np.ndarray]) -> list[np.ndarray]:
        return [refine(img, c, self.background) for img, c in zip(images, self.coarse(images))]
