"""What the renderer is scored on: the painted portrait, pixel by pixel, the face counted more.

L1 over the portrait, with the face square (the StyleGAN face critic's: brows to chin) weighted
`face_weight` times a pixel elsewhere, normalised so the mean weight is 1: hair, jersey and
background fill most of the portrait and are learnt first, and an eye is a few pixels that L1
otherwise leaves as a smear for thousands of steps (a 3,000-step trial: faces blank at weight
1, brows and eyes forming at 5). Beside it the upsampler's detail term (generator/upsampler/
model.py), at `detail`: as much fine detail in each neighbourhood as the portrait has, not its
exact placement, so stubble and hair strands the traits do not place are drawn, not averaged.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from facepack.generator.stylegan.model import FACE_COLS, FACE_ROWS
from facepack.generator.upsampler.model import detail_energy


def face_weights(size: int, face_weight: float) -> np.ndarray:
    """(size, size, 1) float32: face_weight on the face square, 1 elsewhere, mean 1."""
    w = np.ones((size, size, 1), np.float32)
    rows, cols = [int(f * size) for f in FACE_ROWS], [int(f * size) for f in FACE_COLS]
    w[rows[0] : rows[1], cols[0] : cols[1]] = face_weight
    return w / w.mean()


@keras.saving.register_keras_serializable(package="facepack")
class RendererLoss(keras.losses.Loss):
    def __init__(self, size: int, face_weight: float = 5.0, detail: float = 1.0, name: str = "renderer_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.size, self.face_weight, self.detail = size, face_weight, detail
        self.weights = ops.convert_to_tensor(face_weights(size, face_weight))

    def call(self, y_true, y_pred):
        loss = ops.mean(ops.abs(y_true - y_pred) * self.weights, axis=(1, 2, 3))
        if self.detail:
            energy = ops.abs(detail_energy(y_true) - detail_energy(y_pred)) * self.weights
            loss = loss + self.detail * ops.mean(energy, axis=(1, 2, 3))
        return loss

    def get_config(self) -> dict:
        return super().get_config() | {"size": self.size, "face_weight": self.face_weight, "detail": self.detail}
