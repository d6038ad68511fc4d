"""Differentiable augmentation (Zhao et al., 2020): the same random colour, translation and
cutout applied to real and generated images before the critic sees them, so that a few
thousand portraits are enough without the critic memorising them. keras.ops only.
"""
from __future__ import annotations

import keras
from keras import ops


def diff_augment(x, seed):
    """x: (B, H, W, 3 or 4) in [-1, 1], a fourth channel being the matte (moved, never recoloured);
    seed: a keras.random.SeedGenerator."""
    b, h, w = ops.shape(x)[0], ops.shape(x)[1], ops.shape(x)[2]
    x = ops.cast(x, "float32")  # a bfloat16 generator's output too: not every backend resamples in bfloat16
    x, matte = x[..., :3], x[..., 3:]
    # colour: brightness, saturation, contrast
    x = x + (keras.random.uniform((b, 1, 1, 1), seed=seed) - 0.5)
    mean = ops.mean(x, axis=-1, keepdims=True)
    x = (x - mean) * (keras.random.uniform((b, 1, 1, 1), seed=seed) * 2.0) + mean
    mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
    x = (x - mean) * (keras.random.uniform((b, 1, 1, 1), seed=seed) + 0.5) + mean
    x = ops.concatenate([x, matte], axis=-1)
    # translation by up to 1/8 of the side, reflected at the border
    shift = (keras.random.uniform((b, 2), seed=seed) - 0.5) * 0.25 * ops.cast(ops.stack([w, h]), "float32")
    ones, zeros = ops.ones((b, 1)), ops.zeros((b, 1))
    transform = ops.concatenate([ones, zeros, shift[:, :1], zeros, ones, shift[:, 1:], zeros, zeros], axis=1)
    x = ops.image.affine_transform(x, transform, interpolation="bilinear", fill_mode="reflect")
    # cutout: one square of half the side per image, set to zero
    yy = ops.cast(ops.arange(h), "float32")[None, :, None]
    xx = ops.cast(ops.arange(w), "float32")[None, None, :]
    centre = keras.random.uniform((b, 2), seed=seed) * ops.cast(ops.stack([w, h]), "float32")
    half = ops.cast(w, "float32") / 4.0
    inside = (ops.abs(xx - centre[:, 0, None, None]) < half) & (ops.abs(yy - centre[:, 1, None, None]) < half)
    return x * (1.0 - ops.cast(inside, "float32"))[..., None]
