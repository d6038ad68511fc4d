"""`facepack train renderer DATA --out runs/NAME`: train the renderer on painted data, resumably.

Each step is a batch of painted portraits (brought to the renderer's size with an area filter,
RGB on the UI blue as the dataset holds them) and their traits; batch k of epoch e is a function
of (seed, e, k), so a resumed run sees what it would have. Each checkpoint (model and optimizer,
core.fitrun) writes a log line and a sample sheet (samples/step_N.png: eight held-out players
drawn by the renderer above the painter's portraits of them). The learning rate is constant,
so a finished run trains on when given a larger --steps (nothing else may change). The export
(face_renderer.keras, with its card) loads wherever a learned generator does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from facepack.core.atomic import write_png
from facepack.core.errors import FacepackError
from facepack.core.fitrun import FitRun
from facepack.core.quiet import import_keras
from facepack.core.records import load_arrays, read_info

EXPORT = "face_renderer.keras"


@dataclass(frozen=True)
class RendererSettings:
    size: int = 128  # the portrait it draws (px); the upsampler doubles it for build
    batch: int = 16
    steps: int = 40000
    steps_per_epoch: int = 500  # between checkpoints, log lines and sample sheets
    learning_rate: float = 5e-4
    face_weight: float = 5.0
    eye_weight: float = 12.0  # the band the eyes lie in: whites 2.7 px tall at 128 px
    mouth_weight: float = 1.0  # the band the nose and mouth lie in (1: as the rest of the face)
    mouth_detail: float = 1.0  # how much of the detail term that band keeps (loss.py)
    mouth_squared: float = 0.0  # squared error on that band, against its L1 weight (loss.py)
    detail: float = 1.0
    colour: float = 0.0  # the chroma of 8 x 8 cells (loss.py): hair drawn paler than painted without it
    eye_colour: float = 0.0  # the colour of each eye's dark pixels (loss.py): no blue eyes drawn without it
    top_width: int = 0  # channels of the last stage (networks.py; 0: 32 at 128 px); --init from a narrower one widens it
    seed: int = 0


def portraits(images: np.ndarray, size: int) -> np.ndarray:
    """uint8 RGB portraits -> float16 in [-1, 1] at `size` (area filter), as the renderer draws."""
    out = np.empty((len(images), size, size, 3), np.float16)
    for i, image in enumerate(images):
        small = image if image.shape[0] == size else cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
        out[i] = small.astype(np.float32) / 127.5 - 1.0
    return out


def painted_split(data: Path, split: str, size: int, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A split's portraits and traits; only painted portraits know their traits."""
    images, _, samples = load_arrays(data, split, limit)
    known = [i for i, s in enumerate(samples) if s.traits is not None]
    if not known:
        raise FacepackError(
            f"{data}: no portrait in the '{split}' split knows its traits; the renderer learns the painter's draw "
            "(make the data with `facepack dataset --painter N`); train the generator on community facepacks"
        )
    traits = np.stack([samples[i].traits for i in known]).astype(np.float32)
    return portraits(images[known], size), traits


def check_data(data: Path, size: int) -> dict:
    """The dataset's description, if the renderer can learn from it (painted portraits), else a one-line error."""
    if size < 8 or size & (size - 1):
        raise FacepackError(f"--size must be a power of two, at least 8 (got {size})")
    info = read_info(data)
    if not (info.get("painter") or {}).get("count"):
        raise FacepackError(
            f"{data}: no painted portraits; the renderer learns the painter's draw (make the data with "
            "`facepack dataset --painter N`); train the generator on community facepacks"
        )
    return info


def _batches(keras):
    class Batches(keras.utils.PyDataset):
        def __init__(self, images, traits, s: RendererSettings, epoch: int):
            super().__init__(workers=1, use_multiprocessing=False)
            self.images, self.traits, self.s, self.epoch = images, traits, s, epoch

        def __len__(self):
            return self.s.steps_per_epoch

        def __getitem__(self, k):
            rng = np.random.default_rng([self.s.seed, self.epoch, k])
            pick = np.sort(rng.choice(len(self.images), min(self.s.batch, len(self.images)), replace=False))
            return self.traits[pick], self.images[pick].astype(np.float32)

        def on_epoch_end(self):
            self.epoch += 1

    return Batches


def sample_sheet(model, traits: np.ndarray, painted: np.ndarray) -> np.ndarray:
    """The renderer's portraits (top row) above the painted ones they learn from, uint8 RGB."""

    from facepack.generator.stylegan.train import to_uint8

    def row(x):
        return np.concatenate([to_uint8(v) for v in x], axis=1)

    drawn = np.asarray(model.predict_on_batch(traits))
    return np.concatenate([row(drawn), row(painted.astype(np.float32))], axis=0)


def init_model(init: Path) -> Path:
    """The .keras file `--init` names: a model (an export or a checkpoint), or a renderer run's last checkpoint."""
    path = init / "checkpoint.keras" if init.is_dir() else init
    if not path.is_file():
        raise FacepackError(f"--init {init}: no renderer there (a .keras model or a renderer run folder)")
    return path


def start_from(source, model, size: int) -> None:
    """`model` given the weights of `source` (a renderer, or an export around one): the same
    network, or one whose last stage is wider (widen_top draws the same with it)."""
    from facepack.generator.renderer.networks import widen_top

    renderer = source if source.name == "renderer" else source.get_layer("renderer")
    if [w.shape for w in renderer.get_weights()] == [w.shape for w in model.get_weights()]:
        model.set_weights(renderer.get_weights())
        return
    try:
        widen_top(renderer, model, size)
    except (ValueError, KeyError) as e:  # keras: a layer not found is a ValueError; numpy: shapes
        raise FacepackError(
            f"--init: that renderer is not this one with a narrower last stage ({e}); "
            "give the --size and --top-width it was trained with, or a wider --top-width"
        ) from None


def train_renderer(
    data: Path,
    out: Path,
    s: RendererSettings,
    log: Callable[[str], None] = print,
    command: str = "",
    init: Path | None = None,
) -> Path:
    """Train (or resume) a renderer run; `init` starts a new run from another's weights, say at a
    lower learning rate once the first has stopped improving at its own."""
    keras = import_keras()
    from facepack.generator.renderer.loss import RendererLoss
    from facepack.generator.renderer.networks import RendererConfig, build_renderer, face_model
    from facepack.generator.stylegan.train import trained_complexions

    info = check_data(data, s.size)
    val_images, val_traits = painted_split(data, "test", s.size, limit=64)
    cfg = RendererConfig(resolution=s.size, traits=val_traits.shape[1], top_width=s.top_width)
    out.mkdir(parents=True, exist_ok=True)
    epochs = max(1, -(-s.steps // s.steps_per_epoch))
    # --steps may grow between sessions (the rate is constant); every other setting must stay.
    run = FitRun(
        out,
        {k: v for k, v in asdict(s).items() if k != "steps"},
        epochs,
        added={"colour": 0.0, "mouth_weight": 1.0, "mouth_detail": 1.0, "mouth_squared": 0.0, "top_width": 0, "eye_colour": 0.0},
        init=init,
    )
    model = run.resume(keras, log)
    if model is None:
        keras.utils.set_random_seed(s.seed)
        model = build_renderer(cfg)
        if init is not None:
            source = init_model(init)
            start_from(keras.saving.load_model(source, compile=False), model, s.size)
            log(f"starting from {source}")
        model.compile(
            optimizer=keras.optimizers.Adam(s.learning_rate),
            loss=RendererLoss(
                s.size,
                s.face_weight,
                s.detail,
                s.eye_weight,
                s.colour,
                s.mouth_weight,
                s.mouth_detail,
                s.mouth_squared,
                s.eye_colour,
            ),
        )
    samples = out / "samples"

    class Sheet(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            sheet = sample_sheet(self.model, val_traits[:8], val_images[:8])
            write_png(samples / f"step_{(epoch + 1) * s.steps_per_epoch:06d}.png", sheet)

    def line(epoch: int, logs: dict) -> str:
        return f"step {epoch * s.steps_per_epoch}  loss {logs['loss']:.4f}  val_loss {logs.get('val_loss', float('nan')):.4f}"

    if run.done < epochs:  # a finished run only exports: its training split is not read
        samples.mkdir(exist_ok=True)
        images, traits = painted_split(data, "train", s.size)
        batches = _batches(keras)(images, traits, s, epoch=run.done)
        callbacks = [Sheet(), run.callback(keras, log, line), keras.callbacks.CSVLogger(str(out / "log.csv"), append=True)]
        val = (val_traits, val_images.astype(np.float32))
        model.fit(batches, epochs=epochs, initial_epoch=run.done, validation_data=val, callbacks=callbacks, verbose=0)

    renderer = build_renderer(cfg)
    renderer.set_weights(model.get_weights())
    export = run.export(
        face_model(cfg, renderer),
        out / EXPORT,
        "generator",
        data,
        info,
        command,
        init,
        s.steps_per_epoch,
        architecture="renderer: an MLP over the painter's traits, a CoordConv decoder steered by them (FiLM), "
        "trained on L1 (face, eyes, nose and mouth weighted), a detail term and a colour term; z and psi are ignored",
        resolution=s.size,
        params=int(renderer.count_params()),
        config=cfg.to_dict(),
        settings=asdict(s),
        trained_complexions=trained_complexions(info),
        trained_traits=True,
    )
    log(f"exported {export}")
    return export
