"""`facepack train segmenter DATA --out runs/NAME`: train the matte network, resumably.

Each epoch ends with a checkpoint (model and optimizer, written atomically) and a
line in log.csv; running the same command again continues from the last epoch.
The finished model is exported without optimizer state, with its model card.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from facepack.core.errors import FacepackError
from facepack.core.fitrun import FitRun
from facepack.core.photos import load_backgrounds
from facepack.core.quiet import import_keras
from facepack.core.records import load_arrays, read_info
from facepack.segmenter.augment import BACKGROUNDS, augment

EXPORT = "matte_net.keras"


@dataclass(frozen=True)
class TrainConfig:
    size: int = 128  # network input side
    base: int = 12  # width of the first encoder block
    depth: int = 4
    batch: int = 16
    steps: int = 2000
    steps_per_epoch: int = 100
    learning_rate: float = 2e-3
    seed: int = 0
    backgrounds: str = "photos"  # segmenter.augment.BACKGROUNDS; the first shipped model trained on "flat"


def _dataset_class(keras):
    class Batches(keras.utils.PyDataset):
        """Fresh augmentations every epoch; batch k of epoch e is a function of (seed, e, k)."""

        def __init__(self, images, alphas, cfg: TrainConfig, epoch: int, photos):
            super().__init__(workers=1, use_multiprocessing=False)
            self.images, self.alphas, self.cfg, self.epoch, self.photos = images, alphas, cfg, epoch, photos

        def __len__(self):
            return self.cfg.steps_per_epoch

        def __getitem__(self, k):
            rng = np.random.default_rng([self.cfg.seed, self.epoch, k])
            idx = rng.integers(0, len(self.images), self.cfg.batch)
            pairs = [augment(self.images[i], self.alphas[i], rng, self.cfg.size, self.cfg.backgrounds, self.photos) for i in idx]
            x = np.stack([p[0] for p in pairs]).astype(np.float32)
            y = np.stack([p[1] for p in pairs])[..., None].astype(np.float32)
            return x, y

        def on_epoch_end(self):
            self.epoch += 1

    return Batches


def _has_tensorboard() -> bool:
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        return False
    return True


def _resized(images: np.ndarray, alphas: np.ndarray, size: int):
    x = np.stack([cv2.resize(i, (size, size), interpolation=cv2.INTER_AREA) for i in images]).astype(np.float32)
    y = np.stack([cv2.resize(a, (size, size), interpolation=cv2.INTER_AREA) for a in alphas])[..., None]
    return x, y.astype(np.float32)


def train_segmenter(
    data: Path, out: Path, cfg: TrainConfig, init: Path | None = None, log: Callable[[str], None] = print, command: str = ""
) -> Path:
    keras = import_keras()
    from facepack.segmenter.model import build_matte_net, hard_iou, matte_loss

    if cfg.backgrounds not in BACKGROUNDS:
        raise FacepackError(f"unknown backgrounds {cfg.backgrounds!r} (choose from: {', '.join(BACKGROUNDS)})")
    # Only the training split of the photographs; the held-out ones and the people are for evaluation.
    photos = [p.pixels for p in load_backgrounds("train")] if cfg.backgrounds == "photos" else []
    info = read_info(data)
    images, alphas, _ = load_arrays(data, "train")
    val_images, val_alphas, _ = load_arrays(data, "test", limit=64)
    val = _resized(val_images, val_alphas, cfg.size)
    out.mkdir(parents=True, exist_ok=True)
    epochs = max(1, -(-cfg.steps // cfg.steps_per_epoch))
    run = FitRun(out, asdict(cfg), epochs, key="config")
    model = run.resume(keras, log)
    if model is None:
        keras.utils.set_random_seed(cfg.seed)
        model = build_matte_net(cfg.size, cfg.base, cfg.depth)
        if init is not None:
            model.set_weights(keras.saving.load_model(init, compile=False).get_weights())
        schedule = keras.optimizers.schedules.CosineDecay(cfg.learning_rate, decay_steps=epochs * cfg.steps_per_epoch, alpha=0.05)
        model.compile(optimizer=keras.optimizers.Adam(schedule), loss=matte_loss, metrics=[hard_iou])

    def line(epoch: int, logs: dict) -> str:
        return (
            f"step {epoch * cfg.steps_per_epoch}  loss {logs['loss']:.4f}  val_iou {logs.get('val_hard_iou', float('nan')):.4f}"
        )

    callbacks = [run.callback(keras, log, line), keras.callbacks.CSVLogger(str(out / "log.csv"), append=True)]
    if keras.backend.backend() == "tensorflow" and _has_tensorboard():
        callbacks.append(keras.callbacks.TensorBoard(str(out / "tensorboard"), write_graph=False))
    if run.done < epochs:
        batches = _dataset_class(keras)(images, alphas, cfg, epoch=run.done, photos=photos)
        model.fit(batches, epochs=epochs, initial_epoch=run.done, validation_data=val, callbacks=callbacks, verbose=0)

    final = build_matte_net(cfg.size, cfg.base, cfg.depth)
    final.set_weights(model.get_weights())
    export = run.export(
        final,
        out / EXPORT,
        "segmenter",
        data,
        info,
        command,
        init,
        cfg.steps_per_epoch,
        architecture="U-Net with an atrous pyramid (rates 1, 2, 4) at the bottleneck; guided-filter refinement at full resolution",
        input_size=cfg.size,
        params=int(final.count_params()),
        config=asdict(cfg),
    )
    log(f"exported {export}")
    return export
