"""A small conditional StyleGAN2: mapping, synthesis, critic, and the exported face model.

The condition (age group, complexion: a band of the skin ramp; with `traits`, also the
painter's traits of the face, generator/traits.py) enters the mapping network as learned
embeddings beside the latent code, and the critic as a projection (the dot product of its
features with the condition's embedding). Truncation pulls w toward the mean w of the
requested condition, not the global one, so psi < 1 never blurs a veteran toward a junior
(nor, with traits, a blond toward the brown-haired average).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import keras
import numpy as np
from keras import layers, ops

from facepack.generator.base import AGE_GROUPS, UI_BLUE
from facepack.generator.painter.look import appearance_table
from facepack.generator.stylegan.layers import (
    ConstInput,
    EqualConv,
    EqualDense,
    MinibatchStd,
    ModulatedConv,
    Noise,
    PixelNorm,
    lrelu,
)
from facepack.generator.traits import UNKNOWN


def age_groups() -> list[str]:
    return [g[0] for g in AGE_GROUPS]


def complexions() -> list[str]:
    return [band for band, _ in appearance_table()["complexions"]] + ["unknown"]


def conditions(samples, cfg: GanConfig) -> tuple[np.ndarray, ...]:
    """The condition inputs for labelled samples: age group and complexion indices, and with
    cfg.traits each sample's traits (UNKNOWN where a sample has none: community portraits)."""
    age, complexion = label_indices(samples)
    if not cfg.traits:
        return age, complexion
    traits = np.stack([s.traits if s.traits is not None else UNKNOWN for s in samples]).astype(np.float32)
    if traits.shape[1] < cfg.traits:
        raise ValueError(f"the data's traits have {traits.shape[1]} values, the network takes {cfg.traits}")
    # Trait names are only appended (generator/traits.py): a network told fewer takes the first.
    return age, complexion, traits[:, : cfg.traits]


def label_indices(samples) -> tuple[np.ndarray, np.ndarray]:
    """The condition inputs for labelled samples: age group and complexion indices (unknown labels -> 'unknown')."""
    ages, tones = age_groups(), complexions()
    age = np.array([ages.index(s.age_group) for s in samples], np.int32)
    complexion = np.array(
        [tones.index(s.complexion) if s.complexion in tones else tones.index("unknown") for s in samples], np.int32
    )
    return age, complexion


@dataclass(frozen=True)
class GanConfig:
    resolution: int = 128
    z_dim: int = 128
    w_dim: int = 128
    mapping_layers: int = 4
    channel_base: int = 4096
    channel_max: int = 128
    embed_dim: int = 32
    traits: int = 0  # how many trait values the networks take beside the labels (generator/traits.py); 0: none
    # The narrowest layer. Growing a 128 px run to 256 px (train.py, --init) keeps every layer it
    # had only where the widths up to 128 px stay; a floor lifts the new layers alone above
    # channel_base / 256 (8 channels at the recipe's 2048).
    channel_min: int = 4

    def channels(self, res: int) -> int:
        return max(self.channel_min, min(self.channel_max, self.channel_base // res))

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


def condition_inputs(cfg: GanConfig) -> list:
    """The condition's inputs, in the order every network takes them after its first."""
    inputs = [keras.Input((), dtype="int32", name="age"), keras.Input((), dtype="int32", name="complexion")]
    return inputs + ([keras.Input((cfg.traits,), name="traits")] if cfg.traits else [])


def build_mapping(cfg: GanConfig) -> keras.Model:
    z = keras.Input((cfg.z_dim,), name="z")
    cond = condition_inputs(cfg)
    embedded = [
        layers.Embedding(len(age_groups()), cfg.embed_dim, name="age_embed")(cond[0]),
        layers.Embedding(len(complexions()), cfg.embed_dim, name="complexion_embed")(cond[1]),
    ]
    if cfg.traits:
        embedded.append(EqualDense(cfg.embed_dim * 2, activate=True, name="traits_embed")(cond[2]))
    width = cfg.embed_dim * len(embedded)
    x = layers.Concatenate()([PixelNorm()(z), PixelNorm()(EqualDense(width, name="cond_dense")(layers.Concatenate()(embedded)))])
    for i in range(cfg.mapping_layers):
        x = EqualDense(cfg.w_dim, lr_mul=0.01, activate=True, name=f"map{i}")(x)
    return keras.Model([z, *cond], x, name="mapping")


def build_synthesis(cfg: GanConfig) -> keras.Model:
    ws = keras.Input((cfg.num_ws, cfg.w_dim), name="ws")
    x = ConstInput(cfg.channels(4), name="const")(ws)
    x = Activate()(Noise(seed=4, name="noise4")(ModulatedConv(cfg.channels(4), name="conv4")([x, ws[:, 0]])))
    rgb = ModulatedConv(4, 1, demodulate=False, name="rgb4")([x, ws[:, 1]])
    i = 1
    for res in cfg.resolutions[1:]:
        ch = cfg.channels(res)
        x = ModulatedConv(ch, upsample=True, name=f"conv{res}_up")([x, ws[:, i]])
        x = Activate()(Noise(seed=res, name=f"noise{res}_a")(x))
        x = ModulatedConv(ch, name=f"conv{res}")([x, ws[:, i + 1]])
        x = Activate()(Noise(seed=res + 1, name=f"noise{res}_b")(x))
        rgb = layers.Add()(
            [
                layers.UpSampling2D(interpolation="bilinear", name=f"rgb_up{res}")(rgb),
                ModulatedConv(4, 1, demodulate=False, name=f"rgb{res}")([x, ws[:, i + 2]]),
            ]
        )
        i += 2
    return keras.Model(ws, Composite(name="composite")(rgb), name="synthesis")


@keras.saving.register_keras_serializable(package="facepack")
class Composite(layers.Layer):
    """Colour + alpha logit -> the portrait on the UI blue, and its matte.

    Every training portrait sits on the same flat background, so the generator paints
    a subject and its matte and the background comes exactly right by construction,
    instead of being re-learned (never quite flat) at every pixel. Out: (B, H, W, 4),
    RGB composite then 2*alpha - 1, all in [-1, 1]; the critic judges both, so the
    matte has to look like a real one.
    """

    def __init__(self, background=UI_BLUE, **kw):
        super().__init__(**kw)
        self.background = tuple(int(c) for c in background)

    def call(self, x):
        alpha = ops.sigmoid(x[..., 3:])
        back = ops.convert_to_tensor([c / 127.5 - 1.0 for c in self.background], dtype=x.dtype)
        rgb = alpha * x[..., :3] + (1.0 - alpha) * back
        return ops.concatenate([rgb, alpha * 2.0 - 1.0], axis=-1)

    def get_config(self):
        return {**super().get_config(), "background": list(self.background)}


def _down_to_4(cfg: GanConfig, image):
    """The critic's residual trunk: a portrait down to 4x4 features (the encoder shares it)."""
    x = EqualConv(cfg.channels(cfg.resolution), 1, name="from_rgb")(image)
    for res in reversed(cfg.resolutions[1:]):
        skip = EqualConv(cfg.channels(res // 2), 1, activate=False, name=f"skip{res}")(layers.AveragePooling2D(2)(x))
        y = EqualConv(cfg.channels(res), name=f"d{res}_a")(x)
        y = layers.AveragePooling2D(2)(EqualConv(cfg.channels(res // 2), name=f"d{res}_b")(y))
        x = layers.Rescaling(1 / math.sqrt(2))(layers.Add()([y, skip]))
    return x


def build_critic(cfg: GanConfig, name: str = "critic") -> keras.Model:
    image = keras.Input((cfg.resolution, cfg.resolution, 4), name="image")
    cond = condition_inputs(cfg)
    x = EqualConv(cfg.channels(4), name="d4")(MinibatchStd()(_down_to_4(cfg, image)))
    features = EqualDense(cfg.channels(4), activate=True, name="features")(layers.Flatten()(x))
    score = EqualDense(1, name="score")(features)
    projections = [
        layers.Embedding(len(age_groups()), cfg.channels(4), name="age_proj")(cond[0]),
        layers.Embedding(len(complexions()), cfg.channels(4), name="complexion_proj")(cond[1]),
    ]
    if cfg.traits:
        projections.append(EqualDense(cfg.channels(4), name="traits_proj")(cond[2]))
    proj = layers.Add()(projections)
    return keras.Model([image, *cond], Project()([score, features, proj]), name=name)


def build_encoder(cfg: GanConfig) -> keras.Model:
    """The reconstruction term's encoder (--reconstruction; VAE-GAN, as BicycleGAN's cVAE-GAN):
    a real portrait -> the mean and log-variance of the latent z the generator should redraw it
    from, (B, 2 * z_dim). The critic's trunk, so a run that takes over a critic seeds it from
    that one's layers (train.GanTrainer.seed_encoder). Training-only: not part of the export."""
    image = keras.Input((cfg.resolution, cfg.resolution, 4), name="image")
    x = EqualConv(cfg.channels(4), name="e4")(_down_to_4(cfg, image))
    features = EqualDense(cfg.channels(4), activate=True, name="features")(layers.Flatten()(x))
    return keras.Model(image, EqualDense(2 * cfg.z_dim, name="moments")(features), name="encoder")


# Where the face is on every portrait (rows 5/16 to 13/16, the middle half of the columns: brows
# to chin), and a second critic that judges that square alone at the portrait's own resolution,
# as GFPGAN's facial-component discriminators judge eyes and mouth. The whole-portrait critic
# spends most of what it sees on hair, jersey and background; every learned sheet's first fault
# was the face (eyes closed lines, mouths smeared), and the eye-white measure read 0 % open.
FACE_ROWS, FACE_COLS = (5 / 16, 13 / 16), (1 / 4, 3 / 4)


def face_crop(images):
    """The face square of a batch of portraits (B, n, n, C) -> (B, n/2, n/2, C)."""
    n = images.shape[1]
    rows, cols = [int(f * n) for f in FACE_ROWS], [int(f * n) for f in FACE_COLS]
    return images[:, rows[0] : rows[1], cols[0] : cols[1], :]


def build_face_critic(cfg: GanConfig) -> keras.Model:
    """The face critic: the critic's architecture at half the resolution, fed face_crop()."""
    return build_critic(replace(cfg, resolution=cfg.resolution // 2), name="face_critic")


def build_class_head(cfg: GanConfig) -> keras.Model:
    """The critic's auxiliary classifier (AC-GAN): age-group and complexion logits from its features.

    A model of its own beside the critic, so that runs without it keep the critic they had
    and a run with it can take over one that trained without it."""
    features = keras.Input((cfg.channels(4),), name="features")
    logits = EqualDense(len(age_groups()) + len(complexions()), name="class_logits")(features)
    return keras.Model(features, logits, name="class_head")


def build_trait_head(cfg: GanConfig) -> keras.Model:
    """The critic's trait reader: each of the cfg.traits trait values from its features. Told a
    face's build (generator/traits.py), the generator can still draw any face the critic passes;
    read back from its fakes, the traits say whether the eyes sit where they were asked, a pixel
    off forgiven as far as the reader cannot tell it, where an L1 against the real portrait
    averaged every build to a face without eyes (README, Reconstruction)."""
    features = keras.Input((cfg.channels(4),), name="features")
    return keras.Model(features, EqualDense(cfg.traits, name="trait_values")(features), name="trait_head")


def trait_loss(values, traits):
    """Mean squared error of the trait head's reading, over the portraits whose traits are known
    (the `known` slot, 1 for painted portraits; community ones teach it nothing)."""
    values, traits = ops.cast(values, "float32"), ops.cast(traits, "float32")
    known = traits[:, 0]
    per_face = ops.mean(ops.square(values[:, 1:] - traits[:, 1:]), axis=1)
    return ops.sum(per_face * known) / ops.maximum(ops.sum(known), 1.0)


def critic_and_features(critic: keras.Model) -> keras.Model:
    """The critic with its features as a second output: one pass gives the score and what the class head reads."""
    return keras.Model(critic.inputs, [critic.output, critic.get_layer("features").output], name="critic_and_features")


def class_loss(logits, age, complexion):
    """Cross-entropy of the class head's age and complexion logits; 'unknown' complexions
    (community facepacks) teach nothing about complexion, so they are left out of that term."""
    logits = ops.cast(logits, "float32")
    n_age = len(age_groups())
    age_ce = ops.mean(ops.sparse_categorical_crossentropy(age, logits[:, :n_age], from_logits=True))
    known = ops.cast(complexion != complexions().index("unknown"), "float32")
    tone_ce = ops.sparse_categorical_crossentropy(complexion, logits[:, n_age:], from_logits=True)
    return age_ce + ops.sum(tone_ce * known) / ops.maximum(ops.sum(known), 1.0)


@keras.saving.register_keras_serializable(package="facepack")
class Project(layers.Layer):
    """The projection critic's conditional term: score + <features, condition embedding> / sqrt(C)."""

    def call(self, inputs):
        score, features, proj = inputs
        return score + ops.sum(features * proj, axis=-1, keepdims=True) * ops.rsqrt(
            ops.cast(ops.shape(features)[-1], features.dtype)
        )


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
        w, age, complexion, psi = inputs
        avg = ops.take(self.w_avg, condition_index(age, complexion), axis=0)
        return avg + psi * (w - avg)

    def get_config(self):
        return {**super().get_config(), "conditions": self.conditions, "w_dim": self.w_dim}


def condition_index(age, complexion):
    return age * len(complexions()) + complexion


def build_face_model(cfg: GanConfig, mapping: keras.Model, synthesis: keras.Model) -> keras.Model:
    """The exported generator: (z, age group, complexion[, traits], psi) -> RGB on the UI blue, in [-1, 1]."""
    z = keras.Input((cfg.z_dim,), name="z")
    cond = condition_inputs(cfg)
    psi = keras.Input((1,), name="psi")
    w = mapping([z, *cond])
    if cfg.traits:
        # Traits are continuous: no table of means. Each face's own condition is mapped with a fixed
        # bank of latents and averaged, the same mean w the table holds for a label, at a small MLP's
        # cost (1/100 of the synthesis).
        bank = ZBank(MEAN_BANK, cfg.z_dim, name="z_bank")(z)
        spread = [RepeatEach(MEAN_BANK)(c) for c in cond]
        avg = GroupMean(MEAN_BANK, name="condition_mean")(mapping([bank, *spread]))
        w = Toward(name="truncate")([w, avg, psi])
    else:
        w = Truncate(len(age_groups()) * len(complexions()), cfg.w_dim, name="truncate")([w, *cond, psi])
    rgba = synthesis(Tile(cfg.num_ws)(w))
    return keras.Model([z, *cond, psi], RGB(name="rgb")(rgba), name="face_gan")


MEAN_BANK = 32  # latents a traits model averages its condition's w over


@keras.saving.register_keras_serializable(package="facepack")
class ZBank(layers.Layer):
    """A fixed bank of latent codes (drawn from seed 0), one copy per face of the batch: (B*K, z_dim)."""

    def __init__(self, count: int, z_dim: int, **kw):
        super().__init__(**kw)
        self.count, self.z_dim = count, z_dim

    def build(self, shape):
        self.bank = self.add_weight(shape=(self.count, self.z_dim), initializer="zeros", trainable=False, name="bank")
        self.bank.assign(np.random.default_rng(0).standard_normal((self.count, self.z_dim)).astype(np.float32))

    def call(self, z):
        return ops.reshape(ops.tile(self.bank[None], (ops.shape(z)[0], 1, 1)), (-1, self.z_dim))

    def compute_output_shape(self, shape):  # a symbolic batch cannot be reshaped by every backend
        return (None if shape[0] is None else shape[0] * self.count, self.z_dim)

    def get_config(self):
        return {**super().get_config(), "count": self.count, "z_dim": self.z_dim}


@keras.saving.register_keras_serializable(package="facepack")
class RepeatEach(layers.Layer):
    """Each row `count` times in a row: (B, ...) -> (B*count, ...), beside ZBank's copies."""

    def __init__(self, count: int, **kw):
        super().__init__(**kw)
        self.count = count

    def call(self, x):
        return ops.repeat(x, self.count, axis=0)

    def compute_output_shape(self, shape):
        return (None if shape[0] is None else shape[0] * self.count, *shape[1:])

    def get_config(self):
        return {**super().get_config(), "count": self.count}


@keras.saving.register_keras_serializable(package="facepack")
class GroupMean(layers.Layer):
    """(B*count, D) -> (B, D): the mean of each face's `count` rows."""

    def __init__(self, count: int, **kw):
        super().__init__(**kw)
        self.count = count

    def call(self, x):
        return ops.mean(ops.reshape(x, (-1, self.count, ops.shape(x)[-1])), axis=1)

    def compute_output_shape(self, shape):
        return (None if shape[0] is None else shape[0] // self.count, shape[-1])

    def get_config(self):
        return {**super().get_config(), "count": self.count}


@keras.saving.register_keras_serializable(package="facepack")
class Toward(layers.Layer):
    """w -> avg + psi * (w - avg): truncation toward a mean computed in the graph."""

    def call(self, inputs):
        w, avg, psi = inputs
        return avg + psi * (w - avg)


@keras.saving.register_keras_serializable(package="facepack")
class RGB(layers.Layer):
    def call(self, x):
        return x[..., :3]
