"""`facepack train upsampler DATA --out runs/NAME`: train the upsampler, resumably.

Its pairs are made from the dataset's portraits alone (RGB on the UI blue, as the base
generator exports its faces): a crop of the portrait at full size is the answer, the same
crop halved (area filter) the question. Half of the questions are blurred a little more (a
Gaussian of sigma up to `blur` px at the small size), because the base generator's faces are
softer than a halved painting and the upsampler must sharpen what it is given rather than
only undo a clean halving. Crops are drawn round the face more often than over the
background, which is flat and teaches nothing.

With `--base MODEL` (a learned generator told the painter's traits) the question is instead
what that network draws for the same player at half the size: its own softness and slips,
not a halving's. Told only halved paintings, the shipped upsampler sharpens the renderer's
faces where the painting is sharp and leaves soft what it draws soft (its nose and mouth:
issue 21's lower face); shown the renderer's drawing beside the painting, it learns what the
renderer leaves out where the renderer leaves it out (a cascade, as cascaded diffusion trains
each stage on the stage below's outputs). Its questions are not blurred further: they are
exactly what build gives it. A modder who retrains the generator retrains this stage with
`--base` their model.

Each checkpoint (model and optimizer, written atomically) adds a line to log.csv; the same
command resumes. The finished model is exported without optimizer state, with its card.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from facepack.core.errors import FacepackError
from facepack.core.fitrun import FitRun
from facepack.core.photos import TRAIN_BACKGROUNDS, load_backgrounds
from facepack.core.quiet import import_keras
from facepack.core.records import load_arrays, read_info

EXPORT = "upsampler.keras"
# Where the face is, in fractions of the portrait (both generators centre the head at about
# (0.5, 0.425)): a crop's centre falls in this box three times in four.
FACE_BOX = ((0.25, 0.75), (0.2, 0.7))  # (rows, cols)


@dataclass(frozen=True)
class UpsamplerSettings:
    crop: int = 96  # side of the answer crop (px at the dataset's size); the question is half
    batch: int = 16
    steps: int = 3000
    steps_per_epoch: int = 250
    learning_rate: float = 1e-3
    detail: float = 1.0  # weight of the detail term of model.UpsamplerLoss
    blur: float = 1.0  # most extra blur of a question (sigma, px at the small size)
    seed: int = 0
    # Share of pairs cut from the training photographs (core.photos.TRAIN_BACKGROUNDS, the photos
    # extra) instead of the portraits. Trained on painted portraits alone, the upsampler paints
    # their stubble and hair strokes into photographs of people (evaluate.on_people).
    photos: float = 0.0
    base: str = ""  # the generator whose drawings are the portraits' questions ('' : the portraits halved)


def to_unit(images: np.ndarray) -> np.ndarray:
    """uint8 RGB -> [-1, 1], as the GAN draws."""
    return images.astype(np.float32) / 127.5 - 1.0


def pair(image: np.ndarray, rng: np.random.Generator, s: UpsamplerSettings, drawn: np.ndarray | None = None):
    """One (question, answer): a crop halved and perhaps blurred, and the crop, RGB in [-1, 1];
    with `drawn` (the base generator's drawing of the same player at half size) the question is
    the same crop of that drawing, as it is."""
    n, c = image.shape[0], s.crop
    if rng.random() < 0.75:
        (r0, r1), (c0, c1) = FACE_BOX
        y = int(rng.uniform(r0, r1) * n) - c // 2
        x = int(rng.uniform(c0, c1) * n) - c // 2
    else:
        y, x = (int(v) for v in rng.integers(0, n - c + 1, 2))
    y, x = int(np.clip(y, 0, n - c)) & ~1, int(np.clip(x, 0, n - c)) & ~1  # even, so the halving lines up
    answer = to_unit(image[y : y + c, x : x + c])
    if drawn is None:
        return question_for(answer, rng, s)
    question = drawn[y // 2 : (y + c) // 2, x // 2 : (x + c) // 2].astype(np.float32)
    return mirrored(question, answer, rng)


def photo_pair(photo: np.ndarray, rng: np.random.Generator, s: UpsamplerSettings):
    """One (question, answer) from a photograph: a square of 1-2.5 crop sides anywhere, brought
    down to the crop's size (the photograph at 0.4-1x its scale: its textures at the sizes a
    portrait's are)."""
    c = s.crop
    side = min(int(c * rng.uniform(1.0, 2.5)), *photo.shape[:2])
    y, x = (int(rng.integers(0, n - side + 1)) for n in photo.shape[:2])
    square = cv2.resize(photo[y : y + side, x : x + side], (c, c), interpolation=cv2.INTER_AREA)
    return question_for(to_unit(square), rng, s)


def question_for(answer: np.ndarray, rng: np.random.Generator, s: UpsamplerSettings):
    """The answer halved, perhaps blurred a little more, and both perhaps mirrored."""
    c = answer.shape[0]
    question = cv2.resize(answer, (c // 2, c // 2), interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5 and s.blur > 0:
        question = cv2.GaussianBlur(question, (0, 0), float(rng.uniform(0.3, s.blur)))
    return mirrored(question, answer, rng)


def mirrored(question: np.ndarray, answer: np.ndarray, rng: np.random.Generator):
    """Both, mirrored half the time: portraits are near-symmetric; a mirrored one is as real."""
    if rng.random() < 0.5:
        question, answer = question[:, ::-1], answer[:, ::-1]
    return np.ascontiguousarray(question), np.ascontiguousarray(answer)


def drawings(base: Path, traits: np.ndarray, size: int, batch: int = 32) -> np.ndarray:
    """What the base generator draws for each traits vector, float16 RGB in [-1, 1] at its own
    size, which must be `size` (half the dataset's portraits). Its export's other inputs (z, age
    group, complexion, psi) are read and ignored by a renderer; they are held fixed."""
    from facepack.core.quiet import import_keras

    keras = import_keras()
    import facepack.generator.renderer.networks  # noqa: F401  (registers the custom layers)
    import facepack.generator.stylegan.model  # noqa: F401

    if not base.exists():
        raise FacepackError(f"base model {base} not found")
    model = keras.saving.load_model(base, compile=False)
    told = [t for t in model.inputs if t.name == "traits"]
    if not told:
        raise FacepackError(f"{base}: --base must be a generator told the painter's traits (a renderer)")
    drawn_size = int(model.outputs[0].shape[1])
    if drawn_size != size:
        raise FacepackError(f"{base} draws {drawn_size} px; the dataset's portraits must be twice that (they are {2 * size} px)")
    count = int(told[0].shape[-1])
    z = np.zeros((batch, int(model.inputs[0].shape[-1])), np.float32)
    fixed = [z, np.zeros(batch, np.int32), np.zeros(batch, np.int32)]
    psi = np.ones((batch, 1), np.float32)
    out = np.empty((len(traits), size, size, 3), np.float16)
    for i in range(0, len(traits), batch):
        chunk = traits[i : i + batch, :count]
        full = np.concatenate([chunk, np.repeat(chunk[-1:], batch - len(chunk), 0)]) if len(chunk) < batch else chunk
        out[i : i + len(chunk)] = np.asarray(model.predict_on_batch([*fixed, full, psi]))[: len(chunk)]
    return out


def questions_and_answers(data: Path, split: str, s: UpsamplerSettings, limit: int | None = None):
    """A split's portraits (uint8), and with --base that generator's drawing of each (else None);
    a base draws only for portraits that know their traits (painted ones)."""
    images, _, samples = load_arrays(data, split, limit)
    if not s.base:
        return images, None
    known = [i for i, sample in enumerate(samples) if sample.traits is not None]
    if not known:
        raise FacepackError(
            f"{data}: no portrait in the '{split}' split knows its traits, which --base draws from "
            "(make the data with `facepack dataset --painter N`)"
        )
    traits = np.stack([samples[i].traits for i in known]).astype(np.float32)
    return images[known], drawings(Path(s.base), traits, images.shape[1] // 2)


def _batches(keras):
    class Batches(keras.utils.PyDataset):
        """Batch k of epoch e is a function of (seed, e, k): a resumed run sees what it would have."""

        def __init__(self, images, drawn, photos, s: UpsamplerSettings, epoch: int):
            super().__init__(workers=1, use_multiprocessing=False)
            self.images, self.drawn, self.photos, self.s, self.epoch = images, drawn, photos, s, epoch

        def __len__(self):
            return self.s.steps_per_epoch

        def __getitem__(self, k):
            rng = np.random.default_rng([self.s.seed, self.epoch, k])
            pairs = [
                photo_pair(self.photos[rng.integers(len(self.photos))], rng, self.s)
                if self.photos and rng.random() < self.s.photos
                else self.portrait_pair(int(rng.integers(len(self.images))), rng)
                for _ in range(self.s.batch)
            ]
            return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])

        def portrait_pair(self, i: int, rng):
            return pair(self.images[i], rng, self.s, None if self.drawn is None else self.drawn[i])

        def on_epoch_end(self):
            self.epoch += 1

    return Batches


def validation(images: np.ndarray, s: UpsamplerSettings, count: int = 64, drawn: np.ndarray | None = None):
    """Fixed held-out pairs (the dataset's test split), the same for every run and epoch."""
    rng = np.random.default_rng([s.seed, 1_000_003])
    pairs = [pair(images[i % len(images)], rng, s, None if drawn is None else drawn[i % len(images)]) for i in range(count)]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def train_upsampler(
    data: Path,
    out: Path,
    s: UpsamplerSettings,
    init: Path | None = None,
    log: Callable[[str], None] = print,
    command: str = "",
) -> Path:
    keras = import_keras()
    from facepack.generator.upsampler.model import UpsamplerConfig, UpsamplerLoss, build_upsampler

    if s.crop < 8 or s.crop % 4:
        raise FacepackError(f"--crop must be a multiple of 4, at least 8 (got {s.crop})")
    info = read_info(data)
    images, drawn = questions_and_answers(data, "train", s)
    if images.shape[1] < s.crop:
        raise FacepackError(f"{data}: portraits of {images.shape[1]} px are smaller than --crop {s.crop}")
    test_images, test_drawn = questions_and_answers(data, "test", s, limit=64)
    val = validation(test_images, s, drawn=test_drawn)
    photos = [p.pixels for p in load_backgrounds("train")] if s.photos > 0 else []
    out.mkdir(parents=True, exist_ok=True)
    cfg = UpsamplerConfig()
    epochs = max(1, -(-s.steps // s.steps_per_epoch))
    run = FitRun(out, asdict(s), epochs, added={"photos": 0.0, "base": ""}, init=init)
    model = run.resume(keras, log)
    if model is None:
        keras.utils.set_random_seed(s.seed)
        model = build_upsampler(cfg)
        if init is not None:
            model.set_weights(keras.saving.load_model(init, compile=False).get_weights())
        schedule = keras.optimizers.schedules.CosineDecay(s.learning_rate, decay_steps=epochs * s.steps_per_epoch, alpha=0.05)
        model.compile(optimizer=keras.optimizers.Adam(schedule), loss=UpsamplerLoss(s.detail))

    def line(epoch: int, logs: dict) -> str:
        return f"step {epoch * s.steps_per_epoch}  loss {logs['loss']:.4f}  val_loss {logs.get('val_loss', float('nan')):.4f}"

    if run.done < epochs:
        batches = _batches(keras)(images, drawn, photos, s, epoch=run.done)
        callbacks = [run.callback(keras, log, line), keras.callbacks.CSVLogger(str(out / "log.csv"), append=True)]
        model.fit(batches, epochs=epochs, initial_epoch=run.done, validation_data=val, callbacks=callbacks, verbose=0)

    final = build_upsampler(cfg)
    final.set_weights(model.get_weights())
    export = run.export(
        final,
        out / EXPORT,
        "upsampler",
        data,
        info,
        command,
        init,
        s.steps_per_epoch,
        architecture="residual CNN at the input's size, nearest 2x and two convolutions, added to a bilinear upscale",
        factor=2,
        params=int(final.count_params()),
        config=cfg.to_dict(),
        settings=asdict(s),
        # The photographs its --photos crops came from (packages' sample pictures, named in core/photos.py).
        photographs=[name for _, _, name in TRAIN_BACKGROUNDS] if s.photos > 0 else [],
    )
    log(f"exported {export}")
    return export
