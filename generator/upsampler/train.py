"""`facepack train upsampler DATA --out runs/NAME`: train the upsampler, resumably.

Its pairs are made from the dataset's portraits alone (RGB on the UI blue, as the base
generator exports its faces): a crop of the portrait at full size is the answer, the same
crop halved (area filter) the question. Half of the questions are blurred a little more (a
Gaussian of sigma up to `blur` px at the small size), because the base generator's faces are
softer than a halved painting and the upsampler must sharpen what it is given rather than
only undo a clean halving. Crops are drawn round the face more often than over the
background, which is flat and teaches nothing.

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


def to_unit(images: np.ndarray) -> np.ndarray:
    """uint8 RGB -> [-1, 1], as the GAN draws."""
    return images.astype(np.float32) / 127.5 - 1.0


def pair(image: np.ndarray, rng: np.random.Generator, s: UpsamplerSettings):
    """One (question, answer): a crop halved and perhaps blurred, and the crop, RGB in [-1, 1]."""
    n, c = image.shape[0], s.crop
    if rng.random() < 0.75:
        (r0, r1), (c0, c1) = FACE_BOX
        y = int(rng.uniform(r0, r1) * n) - c // 2
        x = int(rng.uniform(c0, c1) * n) - c // 2
    else:
        y, x = (int(v) for v in rng.integers(0, n - c + 1, 2))
    y, x = int(np.clip(y, 0, n - c)) & ~1, int(np.clip(x, 0, n - c)) & ~1  # even, so the halving lines up
    return question_for(to_unit(image[y : y + c, x : x + c]), rng, s)


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
    if rng.random() < 0.5:  # portraits are near-symmetric; a mirrored one is as real
        question, answer = question[:, ::-1], answer[:, ::-1]
    return np.ascontiguousarray(question), np.ascontiguousarray(answer)


def _batches(keras):
    class Batches(keras.utils.PyDataset):
        """Batch k of epoch e is a function of (seed, e, k): a resumed run sees what it would have."""

        def __init__(self, images, photos, s: UpsamplerSettings, epoch: int):
            super().__init__(workers=1, use_multiprocessing=False)
            self.images, self.photos, self.s, self.epoch = images, photos, s, epoch

        def __len__(self):
            return self.s.steps_per_epoch

        def __getitem__(self, k):
            rng = np.random.default_rng([self.s.seed, self.epoch, k])
            pairs = [
                photo_pair(self.photos[rng.integers(len(self.photos))], rng, self.s)
                if self.photos and rng.random() < self.s.photos
                else pair(self.images[rng.integers(len(self.images))], rng, self.s)
                for _ in range(self.s.batch)
            ]
            return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])

        def on_epoch_end(self):
            self.epoch += 1

    return Batches


def validation(images: np.ndarray, s: UpsamplerSettings, count: int = 64):
    """Fixed held-out pairs (the dataset's test split), the same for every run and epoch."""
    rng = np.random.default_rng([s.seed, 1_000_003])
    pairs = [pair(images[i % len(images)], rng, s) for i in range(count)]
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
    images = load_arrays(data, "train")[0]
    if images.shape[1] < s.crop:
        raise FacepackError(f"{data}: portraits of {images.shape[1]} px are smaller than --crop {s.crop}")
    val = validation(load_arrays(data, "test", limit=64)[0], s)
    photos = [p.pixels for p in load_backgrounds("train")] if s.photos > 0 else []
    out.mkdir(parents=True, exist_ok=True)
    cfg = UpsamplerConfig()
    epochs = max(1, -(-s.steps // s.steps_per_epoch))
    run = FitRun(out, asdict(s), epochs, added={"photos": 0.0}, init=init)
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
        batches = _batches(keras)(images, photos, s, epoch=run.done)
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
