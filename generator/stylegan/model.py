"""A small conditional StyleGAN2: mapping, synthesis, critic, and the exported face model.

The condition (age group, appearance region) enters the mapping network as learned
embeddings beside the latent code, and the critic as a projection (the dot product
of its features with the condition's embedding). Truncation pulls w toward the
mean w of the requested condition, not the global one, so psi < 1 never blurs a
veteran toward a junior.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import keras
from keras import layers, ops

from generator.base import AGE_GROUPS
from generator.painter.look import appearance_table
from generator.stylegan.layers import ConstInput, EqualConv, EqualDense, MinibatchStd, ModulatedConv, Noise, PixelNorm, lrelu


def age_groups() -> list[str]:
    return [g[0] for g in AGE_GROUPS]


def regions() -> list[str]:
    return sorted(appearance_table()["regions"]) + ["unknown"]


@dataclass(frozen=True)
class GanConfig:
    resolution: int = 128
    z_dim: int = 128
    w_dim: int = 128
    mapping_layers: int = 4
    channel_base: int = 4096
    channel_max: int = 128
    embed_dim: int = 32

    def channels(self, res: int) -> int:
        return max(4, min(self.channel_max, self.channel_base // res))

    @property
    def resolutions(self) -> list[int]:
        return [2**i for i in range(2, int(math.log2(self.resolution)) + 1)]

    @property
    def num_ws(self) -> int:
        return 2 * len(self.resolutions)

    def to_dict(self) -> dict:
        return asdict(self)


@keras.saving.register_keras_serializable(package="facepack")
class Activate(layers.Layer):
    def call(self, x):
        return lrelu(x)


def build_mapping(cfg: GanConfig) -> keras.Model:
    z = keras.Input((cfg.z_dim,), name="z")
    age = keras.Input((), dtype="int32", name="age")
    region = keras.Input((), dtype="int32", name="region")
    cond = layers.Concatenate()([layers.Embedding(len(age_groups()), cfg.embed_dim, name="age_embed")(age),
                                 layers.Embedding(len(regions()), cfg.embed_dim, name="region_embed")(region)])
    x = layers.Concatenate()([PixelNorm()(z), PixelNorm()(EqualDense(cfg.embed_dim * 2, name="cond_dense")(cond))])
    for i in range(cfg.mapping_layers):
        x = EqualDense(cfg.w_dim, lr_mul=0.01, activate=True, name=f"map{i}")(x)
    return keras.Model([z, age, region], x, name="mapping")


def build_synthesis(cfg: GanConfig) -> keras.Model:
    ws = keras.Input((cfg.num_ws, cfg.w_dim), name="ws")
    x = ConstInput(cfg.channels(4), name="const")(ws)
    x = Activate()(Noise(seed=4, name="noise4")(ModulatedConv(cfg.channels(4), name="conv4")([x, ws[:, 0]])))
    rgb = ModulatedConv(3, 1, demodulate=False, name="rgb4")([x, ws[:, 1]])
    i = 1
    for res in cfg.resolutions[1:]:
        ch = cfg.channels(res)
        x = ModulatedConv(ch, upsample=True, name=f"conv{res}_up")([x, ws[:, i]])
        x = Activate()(Noise(seed=res, name=f"noise{res}_a")(x))
        x = ModulatedConv(ch, name=f"conv{res}")([x, ws[:, i + 1]])
        x = Activate()(Noise(seed=res + 1, name=f"noise{res}_b")(x))
        rgb = layers.Add()([layers.UpSampling2D(interpolation="bilinear", name=f"rgb_up{res}")(rgb),
                            ModulatedConv(3, 1, demodulate=False, name=f"rgb{res}")([x, ws[:, i + 2]])])
        i += 2
    return keras.Model(ws, rgb, name="synthesis")


def build_critic(cfg: GanConfig) -> keras.Model:
    image = keras.Input((cfg.resolution, cfg.resolution, 3), name="image")
    age = keras.Input((), dtype="int32", name="age")
    region = keras.Input((), dtype="int32", name="region")
    x = EqualConv(cfg.channels(cfg.resolution), 1, name="from_rgb")(image)
    for res in reversed(cfg.resolutions[1:]):
        skip = EqualConv(cfg.channels(res // 2), 1, activate=False, name=f"skip{res}")(layers.AveragePooling2D(2)(x))
        y = EqualConv(cfg.channels(res), name=f"d{res}_a")(x)
        y = layers.AveragePooling2D(2)(EqualConv(cfg.channels(res // 2), name=f"d{res}_b")(y))
        x = layers.Rescaling(1 / math.sqrt(2))(layers.Add()([y, skip]))
    x = EqualConv(cfg.channels(4), name="d4")(MinibatchStd()(x))
    features = EqualDense(cfg.channels(4), activate=True, name="features")(layers.Flatten()(x))
    score = EqualDense(1, name="score")(features)
    proj = layers.Add()([layers.Embedding(len(age_groups()), cfg.channels(4), name="age_proj")(age),
                         layers.Embedding(len(regions()), cfg.channels(4), name="region_proj")(region)])
    return keras.Model([image, age, region], Project()([score, features, proj]), name="critic")


@keras.saving.register_keras_serializable(package="facepack")
class Project(layers.Layer):
    """The projection critic's conditional term: score + <features, condition embedding> / sqrt(C)."""

    def call(self, inputs):
        score, features, proj = inputs
        return score + ops.sum(features * proj, axis=-1, keepdims=True) * ops.rsqrt(ops.cast(ops.shape(features)[-1], "float32"))


@keras.saving.register_keras_serializable(package="facepack")
class Tile(layers.Layer):
    def __init__(self, count: int, **kw):
        super().__init__(**kw)
        self.count = count

    def call(self, w):
        return ops.repeat(w[:, None, :], self.count, axis=1)

    def get_config(self):
        return {**super().get_config(), "count": self.count}


@keras.saving.register_keras_serializable(package="facepack")
class Truncate(layers.Layer):
    """w -> w_avg[condition] + psi * (w - w_avg[condition]), the table filled in at export."""

    def __init__(self, conditions: int, w_dim: int, **kw):
        super().__init__(**kw)
        self.conditions, self.w_dim = conditions, w_dim

    def build(self, shapes):
        self.w_avg = self.add_weight(shape=(self.conditions, self.w_dim), initializer="zeros", trainable=False, name="w_avg")

    def call(self, inputs):
        w, age, region, psi = inputs
        avg = ops.take(self.w_avg, condition_index(age, region), axis=0)
        return avg + psi * (w - avg)

    def get_config(self):
        return {**super().get_config(), "conditions": self.conditions, "w_dim": self.w_dim}


def condition_index(age, region):
    return age * len(regions()) + region


def build_face_model(cfg: GanConfig, mapping: keras.Model, synthesis: keras.Model) -> keras.Model:
    """The exported generator: (z, age group, region, psi) -> RGB in [-1, 1]."""
    z = keras.Input((cfg.z_dim,), name="z")
    age = keras.Input((), dtype="int32", name="age")
    region = keras.Input((), dtype="int32", name="region")
    psi = keras.Input((1,), name="psi")
    w = mapping([z, age, region])
    w = Truncate(len(age_groups()) * len(regions()), cfg.w_dim, name="truncate")([w, age, region, psi])
    return keras.Model([z, age, region, psi], synthesis(Tile(cfg.num_ws)(w)), name="face_gan")
