"""The seam between pack assembly and cut-out models: images in, soft alpha mattes out."""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np


class Segmenter(Protocol):
    name: str

    def matte(self, images: Sequence[np.ndarray]) -> list[np.ndarray]:
        """RGB uint8 HxWx3 images in; float32 HxW mattes in [0, 1] out (1 = subject)."""
        ...
