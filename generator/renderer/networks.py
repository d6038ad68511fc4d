"""The renderer network: traits -> RGB portrait on the UI blue, in [-1, 1].

A small MLP reads the traits into an embedding; a convolutional decoder doubles from 4 px to the
portrait's size, each convolution told the embedding (FiLM: a per-channel scale and shift, as
StyleGAN's styles are) and where it is in the picture (two coordinate channels, CoordConv):
where the eyes go is a function of the traits and the position, and a plain convolution cannot
see the position. With `fourier` octaves it sees the position as sines and cosines too (Fourier
features, Tancik et al. 2020): from two smooth coordinates a network learns a nostril 2 px wide
slowly if at all (fitted to 16 portraits for 400 passes, the 20,000-step renderer drew none),
while a sine's phase is a FiLM scale on a sine and a cosine channel, so where a small feature
goes is one trait-steered weight away. Plain Keras 3 layers and ops, so it trains under any backend.

The export (`face_model`) takes the StyleGAN face model's inputs (z, age group, complexion,
traits, psi) so build, evaluate and the benchmarks load it as any learned generator; z and psi
are read and ignored: the face is the draw's, as the painter's is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import keras
import numpy as np
from keras import layers, ops

from facepack.generator.traits import TRAITS


@dataclass(frozen=True)
class RendererConfig:
    resolution: int = 128  # the upsampler doubles it for build
    traits: int = TRAITS
    embed: int = 512  # width of the trait MLP
    width_base: int = 4096  # channels at a resolution: min(width_max, width_base // resolution)
    width_max: int = 192
    z_dim: int = 64  # the export's z input, ignored (the face model's signature)
    fourier: int = 0  # octaves of sine and cosine position channels (each no finer than 4 px)

    def width(self, res: int) -> int:
        return max(8, min(self.width_max, self.width_base // res))

    def octaves(self, res: int) -> int:
        """Fourier octaves at a resolution: frequencies 1, 2, 4 ... cycles per half portrait, the finest a 4 px period."""
        return min(self.fourier, max(0, int(np.log2(res // 4)) + 1)) if res >= 4 else 0

    def to_dict(self) -> dict:
        return asdict(self)


@keras.saving.register_keras_serializable(package="facepack")
class Coords(layers.Layer):
    """Appends each pixel's row and column, in [-1, 1], as two channels; with `octaves` k, also
    sin and cos of pi * 2^i * row and column for i < k (4 k channels more, after those two)."""

    def __init__(self, octaves: int = 0, **kw):
        super().__init__(**kw)
        self.octaves = octaves

    def call(self, x):
        h, w = x.shape[1], x.shape[2]
        rows, cols = ops.meshgrid(ops.linspace(-1.0, 1.0, h), ops.linspace(-1.0, 1.0, w), indexing="ij")
        channels = [rows, cols]
        for i in range(self.octaves):
            f = np.pi * 2.0**i
            channels += [ops.sin(f * rows), ops.cos(f * rows), ops.sin(f * cols), ops.cos(f * cols)]
        grid = ops.cast(ops.stack(channels, axis=-1)[None], x.dtype)
        return ops.concatenate([x, ops.tile(grid, [ops.shape(x)[0], 1, 1, 1])], axis=-1)

    def compute_output_shape(self, shape):
        return (*shape[:-1], shape[-1] + 2 + 4 * self.octaves)

    def get_config(self):
        return {**super().get_config(), "octaves": self.octaves}


@keras.saving.register_keras_serializable(package="facepack")
class Film(layers.Layer):
    """x * (1 + scale(e)) + shift(e), per channel: the embedding e steers a feature map."""

    def __init__(self, channels: int, **kw):
        super().__init__(**kw)
        self.channels = channels
        self.dense = layers.Dense(2 * channels, kernel_initializer="zeros", name="scale_shift")

    def build(self, shapes):
        self.dense.build(shapes[1])

    def call(self, inputs):
        x, e = inputs
        scale, shift = ops.split(self.dense(e)[:, None, None, :], 2, axis=-1)
        return x * (1.0 + scale) + shift

    def compute_output_shape(self, shapes):
        return shapes[0]

    def get_config(self):
        return {**super().get_config(), "channels": self.channels}


def build_renderer(cfg: RendererConfig = RendererConfig()) -> keras.Model:
    traits = keras.Input((cfg.traits,), name="traits")
    e = layers.Dense(cfg.embed, activation="relu", name="embed_a")(traits)
    e = layers.Dense(cfg.embed, activation="relu", name="embed_b")(e)
    x = layers.Reshape((4, 4, cfg.width(4)))(layers.Dense(16 * cfg.width(4), name="start")(e))
    res = 4
    while res < cfg.resolution:
        res *= 2
        x = layers.UpSampling2D(2, interpolation="bilinear", name=f"up{res}")(x)
        for k in "ab":
            where = Coords(cfg.octaves(res), name=f"coords{res}{k}")(x)
            x = layers.Conv2D(cfg.width(res), 3, padding="same", name=f"conv{res}{k}")(where)
            x = layers.LeakyReLU(0.2, name=f"act{res}{k}")(Film(cfg.width(res), name=f"film{res}{k}")([x, e]))
    rgb = layers.Conv2D(3, 1, name="rgb")(x)
    return keras.Model(traits, rgb, name="renderer")


def grafted(model: keras.Model, source: keras.Model) -> keras.Model:
    """`model` given `source`'s weights, layer by layer (by name); a convolution that now also sees
    Fourier channels (appended last) gets zeros for them, so it draws exactly what `source` drew
    and learns to use them from there."""
    for layer in model.layers:
        if not layer.weights:
            continue
        old = source.get_layer(layer.name).get_weights()
        new = []
        for mine, theirs in zip(layer.get_weights(), old, strict=True):
            if mine.shape != theirs.shape:
                if (
                    mine.ndim != 4
                    or mine.shape[:2] + mine.shape[3:] != theirs.shape[:2] + theirs.shape[3:]
                    or mine.shape[2] < theirs.shape[2]
                ):
                    raise ValueError(f"{layer.name}: {theirs.shape} cannot grow to {mine.shape}")
                theirs = np.concatenate(
                    [theirs, np.zeros((*theirs.shape[:2], mine.shape[2] - theirs.shape[2], theirs.shape[3]), theirs.dtype)],
                    axis=2,
                )
            new.append(theirs)
        layer.set_weights(new)
    return model


def renderer_of(model: keras.Model) -> keras.Model:
    """The renderer inside an export (face_model), or the model itself (a run's checkpoint)."""
    inner = [layer for layer in model.layers if layer.name == "renderer" and isinstance(layer, keras.Model)]
    return inner[0] if inner else model


def face_model(cfg: RendererConfig, renderer: keras.Model) -> keras.Model:
    """The export: the StyleGAN face model's inputs (z, age, complexion, traits, psi) -> RGB in [-1, 1]."""
    z = keras.Input((cfg.z_dim,), name="z")
    age = keras.Input((), dtype="int32", name="age")
    complexion = keras.Input((), dtype="int32", name="complexion")
    traits = keras.Input((cfg.traits,), name="traits")
    psi = keras.Input((1,), name="psi")
    rgb = layers.Activation("linear", name="face")(renderer(traits))
    return keras.Model([z, age, complexion, traits, psi], rgb, name="face_renderer")
