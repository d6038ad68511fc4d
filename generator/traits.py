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

NAMES = (
    ("known", "age", "grey", "recession", "wrinkles", "beard_density", "turn", "light")
    + tuple(f"skin_{c}" for c in "rgb")
    + tuple(f"hair_{c}" for c in "rgb")
    + tuple(f"eyes_{c}" for c in "rgb")
    + tuple(f"jersey_{c}" for c in "rgb")
    + tuple(f"trim_{c}" for c in "rgb")
    + tuple(f"style_{s}" for s in HAIR_STYLES)
    + tuple(f"facial_{f}" for f in FACIAL_HAIR)
)
TRAITS = len(NAMES)  # 41
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
    ]
    return np.asarray(values, np.float32)


def trait(traits: np.ndarray, name: str) -> np.ndarray:
    """One trait of a batch (or of one face) by name."""
    return traits[..., NAMES.index(name)]
