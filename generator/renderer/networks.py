"""The renderer network: traits -> RGB portrait on the UI blue, in [-1, 1].

A small MLP reads the traits into an embedding; a convolutional decoder doubles from 4 px to the
portrait's size, each convolution told the embedding (FiLM: a per-channel scale and shift, as
StyleGAN's styles are) and where it is in the picture (two coordinate channels, CoordConv):
where the eyes go is a function of the traits and the position, and a plain convolution cannot
see the position. Plain Keras 3 layers and ops, so it trains under any backend. The last stage,
at the portrait's own size, can be made wider than the rule gives (`top_width`) and a trained
renderer widened into it drawing the same (`widen_top`): the nostrils it lacks are 2 px there.

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
    top_width: int = 0  # channels at the portrait's own size (0: the rule below, 32 at 128 px)
    z_dim: int = 64  # the export's z input, ignored (the face model's signature)

    def width(self, res: int) -> int:
        if res == self.resolution and self.top_width:
            return self.top_width
        return max(8, min(self.width_max, self.width_base // res))

    def to_dict(self) -> dict:
        return asdict(self)


@keras.saving.register_keras_serializable(package="facepack")
class Coords(layers.Layer):
    """Appends each pixel's row and column, in [-1, 1], as two channels."""

    def call(self, x):
        h, w = x.shape[1], x.shape[2]
        rows, cols = ops.meshgrid(ops.linspace(-1.0, 1.0, h), ops.linspace(-1.0, 1.0, w), indexing="ij")
        grid = ops.cast(ops.stack([rows, cols], axis=-1)[None], x.dtype)
        return ops.concatenate([x, ops.tile(grid, [ops.shape(x)[0], 1, 1, 1])], axis=-1)

    def compute_output_shape(self, shape):
        return (*shape[:-1], shape[-1] + 2)


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
            x = layers.Conv2D(cfg.width(res), 3, padding="same", name=f"conv{res}{k}")(Coords(name=f"coords{res}{k}")(x))
            x = layers.LeakyReLU(0.2, name=f"act{res}{k}")(Film(cfg.width(res), name=f"film{res}{k}")([x, e]))
    rgb = layers.Conv2D(3, 1, name="rgb")(x)
    return keras.Model(traits, rgb, name="renderer")


def widen_top(source: keras.Model, target: keras.Model, resolution: int, noise: float = 0.01, seed: int = 0) -> None:
    """Give `target`, a renderer whose last stage is wider, `source`'s weights: the same drawing.

    Net2Net (Chen et al. 2016): each new channel of the last stage copies an old one, and where a
    channel now has k copies, what reads it (the next convolution, the RGB layer) reads each at
    1/k of the weight. The copies' incoming weights get a little `noise` (1 % of their spread) or
    they would learn as one channel forever. Every layer below the last stage is the same.
    """
    old = source.get_layer(f"conv{resolution}a").get_weights()[1].shape[0]
    new = target.get_layer(f"conv{resolution}a").get_weights()[1].shape[0]
    if new < old:
        raise ValueError(f"the last stage can only grow ({old} to {new} channels)")
    copy = np.arange(new) % old  # new channel -> the old channel it copies
    share = np.bincount(copy, minlength=old)[copy][:, None]
    fresh = np.arange(new) >= old
    rng = np.random.default_rng(seed)
    for layer in source.layers:
        w = layer.get_weights()
        if layer.name in (f"conv{resolution}a", f"conv{resolution}b"):
            k, b = w
            if layer.name.endswith("b"):  # its inputs: the widened channels, then the two coordinates
                k = np.concatenate([k[:, :, copy] / share, k[:, :, old:]], axis=2)
            k, b = k[..., copy], b[copy]
            w = [k + (rng.normal(0.0, noise * k.std(), k.shape) * fresh).astype(k.dtype), b]
        elif layer.name in (f"film{resolution}a", f"film{resolution}b"):  # scale | shift, per channel
            both = np.concatenate([copy, old + copy])
            w = [w[0][:, both], w[1][both]]
        elif layer.name == "rgb":
            w = [w[0][:, :, copy] / share, w[1]]
        if w:
            target.get_layer(layer.name).set_weights(w)


def face_model(cfg: RendererConfig, renderer: keras.Model) -> keras.Model:
    """The export: the StyleGAN face model's inputs (z, age, complexion, traits, psi) -> RGB in [-1, 1]."""
    z = keras.Input((cfg.z_dim,), name="z")
    age = keras.Input((), dtype="int32", name="age")
    complexion = keras.Input((), dtype="int32", name="complexion")
    traits = keras.Input((cfg.traits,), name="traits")
    psi = keras.Input((1,), name="psi")
    rgb = layers.Activation("linear", name="face")(renderer(traits))
    return keras.Model([z, age, complexion, traits, psi], rgb, name="face_renderer")
