"""The learned generator: a trained conditional StyleGAN (or the renderer), used by build like any generator.

A request's seed decides its latent code and its complexion: the one the painter
would give the same player (the nationality's mix of regions sets the odds, the seed
decides), so both generators agree on who looks how. Its age decides the age group.
Batches are always full (padded), so a face never depends on its batch-mates.
"""

from __future__ import annotations

import threading
from importlib.resources import files
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from facepack.generator.base import AGE_GROUPS, DEFAULT_PSI, UI_BLUE, FaceRequest, Portrait
from facepack.generator.painter.look import look_of
from facepack.generator.traits import UNKNOWN, traits_of

DEFAULT_MODEL = "face_renderer.keras"
DEFAULT_UPSAMPLER = "upsampler.keras"


def default_model_path() -> Path:
    return Path(str(files("facepack.generator.models").joinpath(DEFAULT_MODEL)))


def default_upsampler_path() -> Path:
    return Path(str(files("facepack.generator.models").joinpath(DEFAULT_UPSAMPLER)))


class LearnedGenerator:
    name = "learned"

    def __init__(
        self,
        model_path: Path | None = None,
        size: int = 256,
        psi: float = DEFAULT_PSI,
        batch_size: int = 8,
        upsampler: Path | None | bool = None,
    ):
        from facepack.core.quiet import import_keras

        keras = import_keras()
        import facepack.generator.renderer.networks  # noqa: F401  (registers the custom layers)
        import facepack.generator.stylegan.model  # noqa: F401

        self.path = Path(model_path) if model_path is not None else default_model_path()
        if not self.path.exists():
            raise FileNotFoundError(f"generator model {self.path} not found")
        self.model = keras.saving.load_model(self.path, compile=False)
        self._lock = threading.Lock()
        self._keras = keras
        self._numpy = keras.ops.convert_to_numpy
        self.z_dim = int(self.model.inputs[0].shape[-1])
        self.size, self.psi, self.batch_size = size, psi, batch_size
        self.background = UI_BLUE
        from facepack.core.modelcard import read_card
        from facepack.generator.stylegan.model import complexions

        self.complexions = complexions()
        # A model trained on community portraits alone never saw a complexion label: ask it for 'unknown'.
        card = read_card(self.path)
        self.trained = card.get("trained_complexions") or self.complexions
        self.ages = [g[0] for g in AGE_GROUPS]
        # A model told the painter's traits (generator/traits.py) takes them as a third condition;
        # one trained on community packs alone never saw them known, and is asked with UNKNOWN.
        told = [t for t in self.model.inputs if t.name == "traits"]
        self.traits = int(told[0].shape[-1]) if told else 0  # how many: the first of traits.NAMES
        self.traits_known = bool(card.get("trained_traits", self.traits))
        # The second stage (generator/upsampler): doubles the network's faces while they are smaller
        # than asked, instead of a cubic filter that leaves them soft. None: the shipped one where it
        # is installed; False: none (the cubic filter alone).
        if upsampler is None:
            upsampler = default_upsampler_path() if default_upsampler_path().exists() else False
        if upsampler and not Path(upsampler).exists():
            raise FileNotFoundError(f"upsampler model {upsampler} not found")
        self.upsampler = keras.saving.load_model(upsampler, compile=False) if upsampler else None
        self.upsampler_path = Path(upsampler) if upsampler else None
        self._fixed: dict[tuple, object] = {}  # the upsampler at each input shape it is given

    def condition(self, request: FaceRequest) -> tuple:
        """(z, age group, complexion[, traits]): the painter's draw for the same player decides
        the complexion (and the traits), so both generators agree on who looks how."""
        # A stream of its own for z: the look sampler draws from the plain seed.
        stream = [request.seed, 1] + ([request.variant] if request.variant else [])
        z = np.random.default_rng(stream).standard_normal(self.z_dim).astype(np.float32)
        look = look_of(request)
        complexion = look.complexion if look.complexion in self.trained else "unknown"
        labels = (z, self.ages.index(request.age_group), self.complexions.index(complexion))
        if not self.traits:
            return labels
        return labels + ((traits_of(look) if self.traits_known else UNKNOWN)[: self.traits],)

    def generate(self, requests: Sequence[FaceRequest]) -> list[Portrait]:
        out: list[Portrait] = []
        b = self.batch_size
        for i in range(0, len(requests), b):
            chunk = [self.condition(r) for r in requests[i : i + b]]
            inputs = self.inputs(chunk, b)
            # One compiled graph at one batch shape (predict_on_batch): 2-3x the eager call's speed. The
            # shape stays fixed whatever --batch-size says: at another batch size the same face can come
            # out 1 level apart in a few pixels, and a face must depend on nothing but its player.
            out += [Portrait(image=rgb, background=self.background) for rgb in self._drawn(inputs, len(chunk))]
        return out

    def _drawn(self, inputs: list[np.ndarray], count: int) -> list[np.ndarray]:
        """The first `count` faces of one full batch of inputs, uint8 RGB at the asked size."""
        with self._lock:  # build makes the next batch in another thread; one call at a time
            psi = np.full((self.batch_size, 1), self.psi, np.float32)
            images = self._upsampled(np.asarray(self.model.predict_on_batch([*inputs, psi])))
        return [self._portrait(images[k]) for k in range(count)]

    def _portrait(self, image: np.ndarray) -> np.ndarray:
        """A network's face in [-1, 1] -> uint8 RGB at the asked size (cubic where it is smaller)."""
        rgb = np.clip(np.rint((image + 1.0) * 127.5), 0, 255).astype(np.uint8)
        if rgb.shape[0] != self.size:
            rgb = cv2.resize(rgb, (self.size, self.size), interpolation=cv2.INTER_CUBIC)
        return rgb

    def _upsampled(self, images: np.ndarray) -> np.ndarray:
        """The batch doubled by the upsampler while it is smaller than asked (same fixed batch shape)."""
        if self.upsampler is None:
            return images
        while images.shape[1] < self.size:
            images = np.asarray(self._at(images.shape[1:]).predict_on_batch(images.astype(np.float32)))
        return images

    def _at(self, shape: tuple):
        """The upsampler at this input size (upsampler.model.at_size), one per size."""
        if shape not in self._fixed:
            from facepack.generator.upsampler.model import at_size

            self._fixed[shape] = at_size(self.upsampler, shape)
        return self._fixed[shape]

    def inputs(self, conditions: Sequence[tuple], size: int) -> list[np.ndarray]:
        """The model's inputs for these conditions, zero-padded to `size` rows: z, age, complexion[, traits]."""
        columns = list(zip(*conditions))
        out = []
        for values, dtype in zip(columns, (np.float32, np.int32, np.int32, np.float32)):
            first = np.asarray(values[0], dtype)
            array = np.zeros((size, *first.shape), dtype)
            array[: len(values)] = np.stack([np.asarray(v, dtype) for v in values])
            out.append(array)
        return out

    def morph(self, a: FaceRequest, b: FaceRequest, steps: int) -> list[np.ndarray]:
        """Frames along the straight line between a's and b's truncated w (a renderer: their traits)."""
        if "synthesis" not in [layer.name for layer in self.model.layers]:
            return self._trait_walk(a, b, steps)
        synthesis = self.model.get_layer("synthesis")
        # The face model up to its truncated w: the same graph build runs, cut before the synthesis.
        truncated = self._truncated_w()
        ends = []
        for r in (a, b):
            inputs = self.inputs([self.condition(r)], 1)
            ends.append(self._numpy(truncated([*inputs, np.full((1, 1), self.psi, np.float32)], training=False)))
        num_ws = int(synthesis.inputs[0].shape[1])
        frames = []
        for t in np.linspace(0.0, 1.0, steps):
            w = ends[0] * (1 - t) + ends[1] * t
            image = self._numpy(synthesis(np.repeat(w[:, None, :], num_ws, axis=1).astype(np.float32), training=False))
            frames.append(self._portrait(self._upsampled(image[..., :3])[0]))
        return frames

    def _trait_walk(self, a: FaceRequest, b: FaceRequest, steps: int) -> list[np.ndarray]:
        """The renderer has no latent space: its faces are the painter's draws, so it walks from a's
        traits to b's (the painter's morph blends the two looks the same way); z and psi it ignores."""
        ends = [self.inputs([self.condition(r)], self.batch_size) for r in (a, b)]
        walk = [ends[0][:-1] + [ends[0][-1] * (1 - t) + ends[1][-1] * t] for t in np.linspace(0.0, 1.0, steps)]
        return [self._drawn(inputs, 1)[0] for inputs in walk]

    def _truncated_w(self):
        return self._keras.Model(self.model.inputs, self.model.get_layer("truncate").output)
