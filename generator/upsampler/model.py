"""The upsampler network and its loss.

RGB in [-1, 1] at N px (a portrait on the UI blue, as the base generator draws it) -> RGB at
2N px: residual blocks at the input's size see the face's layout (a 2-3 px eye at 128 px needs
some context to be drawn as an eye), then one nearest upsampling and two convolutions at the
output's size draw the detail. The network adds its
output to a bilinear upsampling of the input, so an untrained network is already a plain
upscale and training only learns what a filter cannot know. Plain Keras 3 layers and ops,
so it trains under any backend and saves as one .keras file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import keras
import numpy as np
from keras import layers, ops

CHANNELS = 3  # RGB on the UI blue: what the base generator exports (its alpha is composited inside it)


@dataclass(frozen=True)
class UpsamplerConfig:
    width: int = 32  # channels of the residual blocks at the input's size
    blocks: int = 6
    out_width: int = 16  # channels at the output's size (4x the pixels: kept narrow)

    def to_dict(self) -> dict:
        return asdict(self)


def _residual(x, width: int, name: str):
    y = layers.Conv2D(width, 3, padding="same", activation="relu", name=f"{name}_a")(x)
    y = layers.Conv2D(width, 3, padding="same", name=f"{name}_b")(y)
    return layers.Add(name=f"{name}_add")([x, y])


def build_upsampler(cfg: UpsamplerConfig = UpsamplerConfig()) -> keras.Model:
    """Any-size RGB in [-1, 1] -> twice the size, same range (fully convolutional)."""
    low = keras.Input((None, None, CHANNELS), name="low")
    plain = layers.UpSampling2D(2, interpolation="bilinear", name="plain")(low)
    x = layers.Conv2D(cfg.width, 3, padding="same", activation="relu", name="head")(low)
    skip = x
    for i in range(cfg.blocks):
        x = _residual(x, cfg.width, f"block{i}")
    x = layers.Add(name="body")([skip, layers.Conv2D(cfg.width, 3, padding="same", name="body_out")(x)])
    x = layers.UpSampling2D(2, interpolation="nearest", name="up")(x)
    x = layers.Conv2D(cfg.width, 3, padding="same", activation="relu", name="up_a")(x)
    x = layers.Conv2D(cfg.out_width, 3, padding="same", activation="relu", name="up_b")(x)
    # Starts at zero: the untrained network is the bilinear upscale.
    detail = layers.Conv2D(CHANNELS, 3, padding="same", kernel_initializer="zeros", name="detail")(x)
    return keras.Model(low, layers.Add(name="high")([plain, detail]), name="upsampler")


_LAPLACIAN = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], np.float32)


def at_size(model: keras.Model, shape: tuple) -> keras.Model:
    """The upsampler with its input's size fixed (H, W, C): saved to take any size, its bilinear
    layer cannot be compiled for an unknown one, which TensorFlow refuses in build's worker thread
    and in a second predict() at another size."""
    x = keras.Input(shape)
    return keras.Model(x, model(x))


def detail_energy(rgb):
    """Local mean of |Laplacian| per channel (colour, or one grey): how much fine detail there is about each pixel."""
    kernel = ops.convert_to_tensor(np.repeat(_LAPLACIAN[:, :, None, None], rgb.shape[-1], axis=2))
    lap = ops.depthwise_conv(rgb, kernel, strides=1, padding="same")
    return ops.average_pool(ops.abs(lap), pool_size=5, strides=1, padding="same")


@keras.saving.register_keras_serializable(package="facepack")
class UpsamplerLoss(keras.losses.Loss):
    """L1 on the pixels, plus L1 between the local amount of fine detail (the 5x5 mean of
    |Laplacian|) of the output and of the true portrait, weighted by `detail`.

    L1 alone draws the mean of what could be there: a hair strand or a stubble dot the small
    image cannot place comes out as a smear. The second term asks only for as much detail as
    the portrait has in each neighbourhood, not for its exact placement, so the network is free
    to draw strands and dots where it cannot know them (a texture statistic, as EnhanceNet's
    texture loss asks for local Gram matrices rather than pixels)."""

    def __init__(self, detail: float = 1.0, name: str = "upsampler_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.detail = detail

    def call(self, y_true, y_pred):
        pixels = ops.mean(ops.abs(y_true - y_pred), axis=(1, 2, 3))
        if not self.detail:
            return pixels
        energy = ops.abs(detail_energy(y_true) - detail_energy(y_pred))
        return pixels + self.detail * ops.mean(energy, axis=(1, 2, 3))

    def get_config(self) -> dict:
        return super().get_config() | {"detail": self.detail}
