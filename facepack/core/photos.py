"""Photographs nobody here made: the sample pictures that ship inside well-known packages.

The cut-out must hold on what a modder's own portraits stand in front of (walls, crowds,
flags, grass), and a painted blue backdrop teaches none of it; the upsampler must not draw
painted stubble on a photographed face. These packages ship real
photographs in their wheels, so training and evaluation read them offline, from the
installed package, without importing it (scikit-image alone takes seconds to import):

- scikit-image (BSD-3-Clause; its data folder's README credits each picture),
- scikit-learn (BSD-3-Clause; china.jpg and flower.jpg),
- matplotlib (its licence; grace_hopper.jpg is a U.S. Navy photograph, public domain).

`pip install "facepack[photos]"` installs them. The split is fixed by name: backgrounds
for training, backgrounds held out for evaluation, and photographs of people used only
for evaluation, never for training.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from facepack.core.errors import FacepackError

# (package, folder inside it, file name)
TRAIN_BACKGROUNDS = (
    ("skimage", "data", "brick.png"),
    ("skimage", "data", "gravel.png"),
    ("skimage", "data", "coins.png"),
    ("skimage", "data", "ihc.png"),
    ("skimage", "data", "motorcycle_left.png"),
    ("skimage", "data", "motorcycle_right.png"),
    ("skimage", "data", "rocket.jpg"),
    ("skimage", "data", "hubble_deep_field.jpg"),
    ("skimage", "data", "page.png"),
    ("skimage", "data", "text.png"),
    ("skimage", "data", "moon.png"),
    ("skimage", "data", "retina.jpg"),
    ("skimage", "data", "color.png"),
    ("skimage", "data", "logo.png"),
    ("skimage", "data", "cell.png"),
    ("sklearn", "datasets/images", "flower.jpg"),
)
HELD_OUT_BACKGROUNDS = (
    ("skimage", "data", "chelsea.png"),  # a photograph: fur, eyes, a wooden floor
    ("skimage", "data", "coffee.png"),  # a photograph: a cup on a wooden table
    ("sklearn", "datasets/images", "china.jpg"),  # a photograph: a temple, trees, sky
    ("skimage", "data", "grass.png"),  # a texture (grey)
)
# Real people, for evaluation only; their reference masks for the cut-out live in segmenter/people.json.
PEOPLE = (
    ("skimage", "data", "astronaut.png"),
    ("skimage", "data", "camera.png"),
    ("matplotlib", "mpl-data/sample_data", "grace_hopper.jpg"),
)

# A head-and-shoulders square round each person's face, (x, y, side) in the photograph's own
# pixels: the framing of a facepack portrait, for measures that read faces (the upsampler's).
PORTRAITS = {"astronaut.png": (95, 0, 260), "camera.png": (100, 30, 240), "grace_hopper.jpg": (110, 20, 310)}

INSTALL_HINT = 'pip install "facepack[photos]" (scikit-image, scikit-learn, matplotlib ship the photographs)'


@dataclass(frozen=True)
class Photo:
    name: str
    pixels: np.ndarray  # HxWx3 uint8 RGB


def _package_folder(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def photo_path(entry: tuple[str, str, str]) -> Path:
    package, folder, name = entry
    root = _package_folder(package)
    path = root / folder / name if root else None
    if path is None or not path.is_file():
        raise FacepackError(f"photograph {name} not found (from {package}): {INSTALL_HINT}")
    return path


def read_photo(entry: tuple[str, str, str]) -> Photo:
    path = photo_path(entry)
    pixels = cv2.imread(str(path), cv2.IMREAD_COLOR)  # grey pictures come back as three equal channels
    if pixels is None:
        raise FacepackError(f"cannot read {path}")
    return Photo(entry[2], np.ascontiguousarray(pixels[..., ::-1]))


def photos_available() -> bool:
    try:
        for entry in TRAIN_BACKGROUNDS + HELD_OUT_BACKGROUNDS + PEOPLE:
            photo_path(entry)
    except FacepackError:
        return False
    return True


def load_backgrounds(split: str) -> list[Photo]:
    """The background photographs of one split: 'train' or 'held_out'."""
    entries = {"train": TRAIN_BACKGROUNDS, "held_out": HELD_OUT_BACKGROUNDS}[split]
    return [read_photo(e) for e in entries]


def portraits(size: int) -> list[Photo]:
    """The photographs of people cut to portraits (PORTRAITS) of size x size px, area filter."""
    out = []
    for entry in PEOPLE:
        photo = read_photo(entry)
        x, y, side = PORTRAITS[photo.name]
        square = photo.pixels[y : y + side, x : x + side]
        out.append(Photo(photo.name, cv2.resize(square, (size, size), interpolation=cv2.INTER_AREA)))
    return out
