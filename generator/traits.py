"""A face's traits as numbers: what the learned generator is told beside its latent code.

Three age groups and three complexions were all the first learned generator was told, and
a small network trained on two CPU cores collapsed toward a few typical faces (issue 21):
the same grey veteran over and over, blond nearly gone. Told the painter's own draw for the
same player (exact age, skin, hair colour and greyness, hair style, facial hair, eyes,
jersey), the generator's variety comes from the same sampler as the painter's, and what a
person checks (grey by age, blond share, beards) follows the nation tables by construction
instead of being re-learned from a few thousand pictures.

Painted portraits know their traits (`traits_of(look)`); a community facepack's do not, and
is trained with `UNKNOWN` (the `known` slot 0), as a request is when a model was trained on
unknown traits only.
"""

from __future__ import annotations

import numpy as np

from facepack.generator.painter.look import Look

HAIR_STYLES = (
    "afro",
    "bald",
    "buzz",
    "crew",
    "curly",
    "high_top",
    "locs",
    "long",
    "medium",
    "short",
    "side_part",
    "swept",
)
FACIAL_HAIR = ("none", "stubble", "moustache", "goatee", "beard", "full_beard")
# 17 -> 0, 40 -> 1: the first painted data's span, kept so that trained networks keep its meaning.
MIN_AGE, AGE_SPAN = 17.0, 23.0

COLLARS = ("round", "v", "laced")
# The build: where the painter puts a face's features and how large it draws them, the cut of
# the jaw, the head's size and place. Told only colours and styles, a generator must find each
# face's build in its latent code, and a pixel loss (--reconstruction) on a real portrait then
# learns the average build: faces without eyes (README, Reconstruction). Each as
# (Look or FaceShape field, the sampler's mean, its spread), scaled to 0.5 + (v - mean) / (4 spread),
# about [0, 1]; the numbers only scale a network's input, so a sampler change breaks nothing.
BUILD = (
    ("hair_volume", 0.5, 0.2),
    ("brow_thickness", 1.0, 0.22),
    ("brow_arch", 0.0, 1.0),
    ("eye_size", 1.0, 0.1),
    ("eye_spacing", 1.0, 0.07),
    ("nose_length", 1.0, 0.13),
    ("nose_width", 1.0, 0.15),
    ("mouth_width", 1.0, 0.1),
    ("lip_size", 1.0, 0.18),
    ("smile", 0.15, 0.35),
    ("ear_size", 1.0, 0.1),
    ("head_cx", 0.5, 0.012),
    ("head_cy", 0.425, 0.012),
    ("head_rx", 0.19, 0.009),
    ("jaw", 0.735, 0.07),
    ("tilt", 0.0, 2.5),
    ("neck_width", 1.0, 0.08),
    ("shoulder_width", 1.0, 0.05),
    ("freckles", 0.15, 0.15),
    ("fade", 0.5, 0.25),
    ("hard_part", 0.0, 0.5),
)
SHAPE = (
    ("cheekbones", 0.0, 0.035),
    ("chin_square", 1.7, 0.45),
    ("chin_length", 0.05, 0.035),
    ("temples", 0.07, 0.03),
    ("eye_height", 0.0, 0.035),
    ("eye_open", 1.0, 0.15),
    ("eye_tilt", 0.0, 4.0),
    ("deep_set", 0.45, 0.12),
    ("brow_lift", 0.0, 0.03),
    ("brow_slant", 0.0, 0.05),
    ("nose_bridge", 1.0, 0.2),
    ("nose_tip", 1.0, 0.18),
    ("mouth_height", 0.0, 0.03),
    ("lip_ratio", 1.0, 0.15),
    ("ear_out", 0.23, 0.15),
    ("cheek_hollow", 0.06, 0.03),
)
# The first 41 are what the first traits networks were trained on; later names are only ever
# appended, so a network told fewer takes the first of them (traits_of(look)[:count]).
FIRST = 41
NAMES = (
    ("known", "age", "grey", "recession", "wrinkles", "beard_density", "turn", "light")
    + tuple(f"skin_{c}" for c in "rgb")
    + tuple(f"hair_{c}" for c in "rgb")
    + tuple(f"eyes_{c}" for c in "rgb")
    + tuple(f"jersey_{c}" for c in "rgb")
    + tuple(f"trim_{c}" for c in "rgb")
    + tuple(f"style_{s}" for s in HAIR_STYLES)
    + tuple(f"facial_{f}" for f in FACIAL_HAIR)
    + tuple(f"build_{name}" for name, _, _ in BUILD + SHAPE)
    + ("head_ratio", "coily", "yoke")
    + tuple(f"collar_{c}" for c in COLLARS)
)
TRAITS = len(NAMES)  # 84
UNKNOWN = np.zeros(TRAITS, np.float32)


def traits_of(look: Look) -> np.ndarray:
    """The look's traits, each in about [0, 1] (turn and light in [-1, 1]), float32."""

    def rgb(c) -> list[float]:
        return [float(v) / 255.0 for v in c]

    values = [
        1.0,
        float(np.clip((look.age - MIN_AGE) / AGE_SPAN, -0.5, 1.5)),  # staff run past 40
        look.grey,
        look.recession,
        look.wrinkles,
        look.beard_density if look.facial_hair != "none" else 0.0,
        look.turn,
        look.light,
        *rgb(look.skin),
        *rgb(look.hair),
        *rgb(look.eye_colour),
        *rgb(look.jersey),
        *rgb(look.trim),
        *[1.0 if look.hair_style == s else 0.0 for s in HAIR_STYLES],
        *[1.0 if look.facial_hair == f else 0.0 for f in FACIAL_HAIR],
        *[0.5 + (getattr(look, name) - mean) / (4 * spread) for name, mean, spread in BUILD],
        *[0.5 + (getattr(look.shape, name) - mean) / (4 * spread) for name, mean, spread in SHAPE],
        0.5 + (look.head_ry / look.head_rx - 1.3) / (4 * 0.07),
        float(look.coily),
        float(look.yoke),
        *[1.0 if look.collar == c else 0.0 for c in COLLARS],
    ]
    return np.asarray(values, np.float32)


def trait(traits: np.ndarray, name: str) -> np.ndarray:
    """One trait of a batch (or of one face) by name."""
    return traits[..., NAMES.index(name)]
