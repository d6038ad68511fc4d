"""`facepack train generator DATA --out runs/NAME`: train the conditional StyleGAN, resumably.

Non-saturating logistic loss, lazy R1 on reals, style mixing, an EMA copy of the
generator, DiffAugment; optionally (--class-weight) an AC-GAN class head on the critic, and
(--reconstruction) an encoder whose reading of each real portrait the generator must redraw.
Checkpoints (all weights and both optimizers) every --checkpoint-every steps; the same
command resumes. A sample sheet (fixed latents, every condition, the EMA generator) and
TensorBoard scalars as it goes.

Split as stylegan2-ada splits it: the networks (model.py, layers.py), the loss
(loss.py: written once, backend-neutral keras.ops), this training loop, and the
metrics (evaluate.py). A backend's step is only its gradient mechanics around
loss.py: TensorFlow's GradientTape under the backend this package installs, and
jax.grad under KERAS_BACKEND=jax (jax_step.py: the GPU machine we train on has JAX,
no TensorFlow), where several devices split each batch through Keras's own
distribution API (DataParallel). Both save the same checkpoints and .keras export.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from facepack.core.atomic import write_png
from facepack.core.errors import FacepackError
from facepack.core.modelcard import training_card, write_card
from facepack.core.quiet import import_keras
from facepack.core.records import load_arrays, read_info
from facepack.generator.stylegan.layers import Noise
from facepack.generator.stylegan.loss import StyleGanLoss, ema_value
from facepack.generator.stylegan.model import (
    GanConfig,
    age_groups,
    build_class_head,
    build_critic,
    build_encoder,
    build_face_critic,
    build_face_model,
    build_mapping,
    build_synthesis,
    build_trait_head,
    class_loss,
    complexions,
    conditions,
    critic_and_features,
    face_crop,
    trait_loss,
)
from facepack.generator.traits import NAMES as TRAIT_NAMES

EXPORT = "face_gan.keras"


@dataclass(frozen=True)
class TrainSettings:
    steps: int = 20000
    batch: int = 16
    learning_rate: float = 2e-3
    r1_gamma: float = 1.0
    r1_every: int = 4
    mixing: float = 0.9
    ema_half_life: float = 500.0  # steps
    checkpoint_every: int = 500
    sample_every: int = 500
    seed: int = 0
    augment: float = 1.0  # share of images the critic sees augmented (diffaugment.diff_augment)
    balance_ages: bool = False  # draw each age group equally often (juniors are a sixth of a roster)
    # AC-GAN: the critic also learns each real portrait's age group and complexion from its
    # features, and the generator is scored on being classified as it was asked; 0 leaves it out.
    class_weight: float = 0.0
    # A second critic on the face alone (model.build_face_critic), its logistic loss averaged with
    # the whole portrait's; off by default.
    face_critic: bool = False
    # VAE-GAN: an encoder reads each real portrait into a latent, and the generator is scored at
    # this weight on the L1 distance of its redrawing; the encodings are held to the prior at
    # kl_weight (BicycleGAN's cVAE-GAN weights: 10 and 0.01). 0 leaves it out.
    reconstruction: float = 0.0
    kl_weight: float = 0.01
    # With traits: the critic also reads each real portrait's traits back from its features
    # (model.build_trait_head), and the generator is scored at this weight on its faces being
    # read as they were asked; 0 leaves it out.
    trait_weight: float = 0.0


def to_unit(images: np.ndarray, size: int) -> np.ndarray:
    out = np.stack([cv2.resize(i, (size, size), interpolation=cv2.INTER_AREA) for i in images])
    return out.astype(np.float32) / 127.5 - 1.0


def to_rgba_unit(images: np.ndarray, alphas: np.ndarray, size: int) -> np.ndarray:
    """What the critic sees of a real portrait: RGB and 2*alpha - 1, in [-1, 1]."""
    mattes = np.stack([cv2.resize(a, (size, size), interpolation=cv2.INTER_AREA) for a in alphas])
    return np.concatenate([to_unit(images, size), mattes[..., None] * 2.0 - 1.0], axis=-1).astype(np.float32)


def training_reals(images: np.ndarray, alphas: np.ndarray, size: int, chunk: int = 256) -> np.ndarray:
    """to_rgba_unit for a whole dataset, held in float16 and made a chunk at a time: 8,000
    portraits at 256 px are 4.2 GB so, where float32 and its intermediates peaked near 18 GB.
    float16 keeps a value in [-1, 1] to 0.0005, a tenth of one 8-bit level; each batch is
    widened to float32 as it is drawn."""
    out = np.empty((len(images), size, size, 4), np.float16)
    for i in range(0, len(images), chunk):
        out[i : i + chunk] = to_rgba_unit(images[i : i + chunk], alphas[i : i + chunk], size)
    return out


def to_uint8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint((x + 1.0) * 127.5), 0, 255).astype(np.uint8)


PRECISIONS = ("float32", "mixed_bfloat16")


class GanTrainer:
    def __init__(self, cfg: GanConfig, settings: TrainSettings, precision: str = "float32"):
        self.keras = keras = import_keras()
        if precision not in PRECISIONS:
            raise FacepackError(f"--precision must be one of {', '.join(PRECISIONS)}")
        self.precision = precision
        self.backend = keras.backend.backend()
        if self.backend not in ("tensorflow", "jax"):
            raise FacepackError(f"training runs under the tensorflow or jax Keras backend, not {self.backend}")
        self.cfg, self.s = cfg, settings
        self.devices = 1
        if self.backend == "jax" and len(keras.distribution.list_devices()) > 1:
            # Variables replicated, each batch split over the devices; set before any model is built.
            keras.distribution.set_distribution(keras.distribution.DataParallel())
            self.devices = len(keras.distribution.list_devices())
            if settings.batch % self.devices:
                raise FacepackError(f"--batch-size {settings.batch} does not split over {self.devices} devices")
        keras.utils.set_random_seed(settings.seed)
        # bfloat16 compute with float32 weights: no loss scaling needed, and losses are taken in float32.
        keras.config.set_dtype_policy(precision)
        try:
            self.mapping, self.synthesis, self.critic = build_mapping(cfg), build_synthesis(cfg), build_critic(cfg)
            self.mapping_ema, self.synthesis_ema = build_mapping(cfg), build_synthesis(cfg)
            self.class_head = build_class_head(cfg) if settings.class_weight > 0 else None
            self.face_critic = build_face_critic(cfg) if settings.face_critic else None
            self.encoder = build_encoder(cfg) if settings.reconstruction > 0 else None
            self.trait_head = build_trait_head(cfg) if settings.trait_weight > 0 and cfg.traits else None
            heads = self.class_head is not None or self.trait_head is not None
            self.judge = critic_and_features(self.critic) if heads else None
        finally:
            keras.config.set_dtype_policy("float32")
        self.mapping_ema.set_weights(self.mapping.get_weights())
        self.synthesis_ema.set_weights(self.synthesis.get_weights())
        self.g_vars = self.mapping.trainable_variables + self.synthesis.trainable_variables
        self.g_vars += self.encoder.trainable_variables if self.encoder is not None else []
        self.d_vars = self.critic.trainable_variables + (self.class_head.trainable_variables if self.class_head else [])
        self.d_vars += self.face_critic.trainable_variables if self.face_critic else []
        self.d_vars += self.trait_head.trainable_variables if self.trait_head else []
        # Adam without momentum, as StyleGAN2; the critic's rate corrected for lazy R1.
        c = settings.r1_every / (settings.r1_every + 1)
        self.g_opt = keras.optimizers.Adam(settings.learning_rate, beta_1=0.0, beta_2=0.99, epsilon=1e-8)
        self.d_opt = keras.optimizers.Adam(settings.learning_rate * c, beta_1=0.0, beta_2=0.99**c, epsilon=1e-8)
        self.g_opt.build(self.g_vars)
        self.d_opt.build(self.d_vars)
        self.seed = keras.random.SeedGenerator(settings.seed)
        self.ema_beta = 0.5 ** (1.0 / settings.ema_half_life)
        # Every weight of the EMA copy beside the live one it follows (non-trainable ones copied as they are).
        self.ema_pairs = [
            (e, v)
            for ema, live in ((self.mapping_ema, self.mapping), (self.synthesis_ema, self.synthesis))
            for e, v in zip(ema.weights, live.weights)
        ]
        self.loss = StyleGanLoss(self)
        self._critic_only = None
        if self.backend == "jax":
            from facepack.generator.stylegan.jax_step import JaxSteps

            self._jax = JaxSteps(self)
            return
        import tensorflow as tf

        self.tf = tf
        self._steps = {r1: tf.function(lambda reals, *cond, r1=r1: self._step(reals, cond, r1)) for r1 in (False, True)}
        # Grappler's remapper cannot fuse the R1 double-backward and says so on stderr at every trace.
        tf.config.optimizer.set_experimental_options({"remapping": False})

    def generate_fakes(self, cond, training: bool):
        """A batch of fakes for these conditions (age, complexion[, traits]), with style mixing (the step's generator pass)."""
        keras, cfg = self.keras, self.cfg
        ops = keras.ops
        b = ops.shape(cond[0])[0]
        z1 = keras.random.normal((b, cfg.z_dim), seed=self.seed)
        z2 = keras.random.normal((b, cfg.z_dim), seed=self.seed)
        w1 = self.mapping([z1, *cond], training=training)
        w2 = self.mapping([z2, *cond], training=training)
        # Style mixing: from a random layer on, the styles of a second latent.
        cutoff = keras.random.randint((b, 1), 1, cfg.num_ws, seed=self.seed)
        mix = keras.random.uniform((b, 1), seed=self.seed) < self.s.mixing
        layer = ops.arange(cfg.num_ws)[None, :]
        use_second = ops.logical_and(mix, layer >= cutoff)[..., None]
        ws = ops.where(use_second, w2[:, None, :], w1[:, None, :])
        return self.synthesis(ws, training=training)

    def judged(self, images, *cond):
        """The critics' logits in float32: (B, 1), or (B, 2) with the face critic's beside the
        critic's; and the auxiliary heads' loss on the same conditions, weighted (the class
        head's at class_weight, the trait head's at trait_weight; 0 without a head)."""
        ops = self.keras.ops
        if self.judge is None:
            logits, classes = self.critic([images, *cond], training=True), ops.zeros(())
        else:
            logits, features = self.judge([images, *cond], training=True)
            classes = ops.zeros(())
            if self.class_head is not None:
                classes += self.s.class_weight * class_loss(self.class_head(features, training=True), cond[0], cond[1])
            if self.trait_head is not None:
                classes += self.s.trait_weight * trait_loss(self.trait_head(features, training=True), cond[2])
        if self.face_critic is not None:
            logits = ops.concatenate([logits, self.face_critic([face_crop(images), *cond], training=True)], axis=1)
        return ops.cast(logits, "float32"), classes

    # -- the TensorFlow step: its gradient mechanics around loss.py's terms ---------------
    def real_grad(self, reals, *cond):
        """d(sum of the critic's scores)/d(reals), for R1: a tape here, jax.grad under JAX."""
        if self.backend == "jax":
            return self._jax.real_grad(reals, cond)
        tf = self.tf
        with tf.GradientTape() as tape:
            tape.watch(reals)
            score = self.loss.real_score(reals, cond)
        return tape.gradient(score, reals)

    def _critic_step(self, reals, cond, r1: bool):
        tf = self.tf
        with tf.GradientTape() as tape:
            fakes = self.generate_fakes(cond, training=True)
            d_loss, classes = self.loss.critic_terms(fakes, reals, cond)
            penalty = self.loss.r1(self.real_grad(reals, *cond)) if r1 else tf.constant(0.0)
            total = self.loss.total(d_loss, penalty, classes)
        self.d_opt.apply_gradients(zip(tape.gradient(total, self.d_vars), self.d_vars))
        return d_loss, penalty, classes

    def generator_objective(self, reals, cond):
        """The generator's total loss and its parts: (total, adversarial, class head's, L1, KL)."""
        fakes = self.generate_fakes(cond, training=True)
        g_loss, classes = self.loss.generator_terms(fakes, cond)
        l1, kl = self.loss.reconstruction_terms(reals, cond) if self.encoder is not None else (0.0, 0.0)
        return self.loss.generator_total(g_loss, classes, l1, kl), g_loss, classes, l1, kl

    def _generator_step(self, reals, cond):
        tf = self.tf
        with tf.GradientTape() as tape:
            total, g_loss, classes, l1, kl = self.generator_objective(reals, cond)
        self.g_opt.apply_gradients(zip(tape.gradient(total, self.g_vars), self.g_vars))
        for e, v in self.ema_pairs:
            e.assign(ema_value(e, v, self.ema_beta, v.trainable))
        return g_loss, classes, l1, kl

    def _step(self, reals, cond, r1: bool):
        d_loss, penalty, d_class = self._critic_step(reals, cond, r1)
        return self.losses(d_loss, penalty, d_class, *self._generator_step(reals, cond))

    def losses(self, d_loss, penalty, d_class, g_loss, g_class, l1, kl) -> dict:
        """A step's losses to log, the heads' (weighted, as they count) and the reconstruction's
        only where there is one (log.csv keeps its columns)."""
        out = {"d_loss": d_loss, "g_loss": g_loss, "r1": penalty}
        out |= {"d_class": d_class, "g_class": g_class} if self.judge is not None else {}
        return out | ({"l1": l1, "kl": kl} if self.encoder is not None else {})

    def step(self, index: int, reals, *cond) -> dict:
        """One critic and one generator step on a batch (numpy arrays: the images, then the condition)."""
        r1 = index % self.s.r1_every == 0
        if self.backend == "jax":
            return self._jax.step(reals, cond, r1)
        tf = self.tf
        out = self._steps[r1](tf.constant(reals), *(tf.constant(c) for c in cond))
        return {k: float(v) for k, v in out.items()}

    def critic_step(self, reals, *cond) -> float:
        """One step of the critic alone (the generator held still)."""
        if self.backend == "jax":
            return self._jax.critic_step(reals, cond)
        if self._critic_only is None:
            self._critic_only = self.tf.function(lambda r, *c: self._critic_step(r, c, False)[0])
        return float(self._critic_only(reals, *cond))

    # -- checkpoints -------------------------------------------------------------------
    def _models(self):
        models = {
            "mapping": self.mapping,
            "synthesis": self.synthesis,
            "critic": self.critic,
            "mapping_ema": self.mapping_ema,
            "synthesis_ema": self.synthesis_ema,
        }
        models |= {"class_head": self.class_head} if self.class_head is not None else {}
        models |= {"encoder": self.encoder} if self.encoder is not None else {}
        models |= {"trait_head": self.trait_head} if self.trait_head is not None else {}
        return models | ({"face_critic": self.face_critic} if self.face_critic is not None else {})

    def save(self, folder: Path, state: dict) -> None:
        tmp = folder / ".checkpoint.partial"
        tmp.mkdir(parents=True, exist_ok=True)
        for name, model in self._models().items():
            model.save_weights(str(tmp / f"{name}.weights.h5"))
        np.savez(tmp / "optimizers.npz", *[np.asarray(v) for v in self.g_opt.variables + self.d_opt.variables])
        (tmp / "state.json").write_text(json.dumps(state))
        final = folder / "checkpoint"
        old = folder / ".checkpoint.old"
        if final.exists():
            final.rename(old)
        tmp.rename(final)
        if old.exists():
            for p in old.iterdir():
                p.unlink()
            old.rmdir()

    def load_networks(self, folder: Path, taking_over: bool = False) -> None:
        """Every network's weights from a run's checkpoint; the optimizers stay as they are.
        Taking over a run that trained without a class head or face critic, this one starts its
        own afresh; without an encoder, this one's starts from that run's critic."""
        for name, model in self._models().items():
            path = folder / "checkpoint" / f"{name}.weights.h5"
            if taking_over and name in ("class_head", "face_critic", "encoder", "trait_head") and not path.exists():
                if name == "encoder":
                    self.seed_encoder()
                continue
            model.load_weights(str(path))

    def seed_encoder(self) -> None:
        """The encoder's trunk from the critic's (same layers by name): it starts out seeing what
        the critic learned to see in a portrait, not noise, so the reconstruction term says
        something from its first steps."""
        _copy_layers(self.critic, self.encoder)

    def grow_from(self, folder: Path, old: GanConfig) -> None:
        """A run's checkpoint taken over at a higher resolution (progressive growing, in one go)
        and/or told more traits: every layer the smaller networks had, by name, and new layers at
        the new sizes only. The new toRGB layers start at zero, so the grown generator first draws
        exactly the smaller one's faces, bilinearly upsampled, and learns the finer detail from
        there. The critic's new blocks start afresh; its deeper layers keep what they learned, and
        so does its 1×1 colour input (`from_rgb`) where its width stays. The layers that read the
        traits take the new ones at zero weight (_widen_traits), so the networks first answer
        exactly as they did and learn what the new traits say from there."""
        builders = {"mapping": build_mapping, "synthesis": build_synthesis, "critic": build_critic}
        builders |= {"mapping_ema": build_mapping, "synthesis_ema": build_synthesis, "class_head": build_class_head}
        builders |= {"face_critic": build_face_critic, "encoder": build_encoder, "trait_head": build_trait_head}
        kept: set[tuple[str, str]] = set()
        for name, model in self._models().items():
            path = folder / "checkpoint" / f"{name}.weights.h5"
            if not path.exists():  # a run without a class head: this one starts its own
                continue
            source = builders[name](old)
            source.load_weights(str(path))
            kept |= {(name, layer) for layer in _copy_layers(source, model) + _widen_traits(source, model)}
        if self.encoder is not None and not (folder / "checkpoint" / "encoder.weights.h5").exists():
            self.seed_encoder()
        for res in self.cfg.resolutions:
            if res > old.resolution:
                kernel = self.synthesis.get_layer(f"rgb{res}").kernel
                kernel.assign(np.zeros(kernel.shape, "float32"))
        # The EMA copies' new layers start where the live ones do.
        for ema, live in (("mapping_ema", self.mapping), ("synthesis_ema", self.synthesis)):
            for layer in self._models()[ema].layers:
                if layer.weights and (ema, layer.name) not in kept:
                    layer.set_weights(live.get_layer(layer.name).get_weights())

    def load(self, folder: Path) -> dict:
        self.load_networks(folder)
        ckpt = folder / "checkpoint"
        saved = np.load(ckpt / "optimizers.npz")
        for v, k in zip(self.g_opt.variables + self.d_opt.variables, saved.files):
            v.assign(saved[k])
        return json.loads((ckpt / "state.json").read_text())

    # -- outputs ----------------------------------------------------------------------
    def face_model(self, noise: float = 1.0):
        """The EMA generator as a float32 model, whatever precision it trained in (build runs it on CPUs).

        `noise` scales the fixed per-pixel noise the exported model adds (StyleGAN's noise
        mode): 0 draws smooth surfaces, which suits painted portraits; the evaluation decides."""
        mapping, synthesis = build_mapping(self.cfg), build_synthesis(self.cfg)
        mapping.set_weights(self.mapping_ema.get_weights())
        synthesis.set_weights(self.synthesis_ema.get_weights())
        for layer in synthesis.layers:
            if isinstance(layer, Noise):
                layer.fixed.assign(layer.fixed * noise)
        return build_face_model(self.cfg, mapping, synthesis)

    def sample_sheet(self, columns: int = 8) -> np.ndarray:
        """One row per age group x a few complexions, fixed latents: comparable from one sheet to the next."""
        rng = np.random.default_rng(1234)
        rows = []
        for a in range(len(age_groups())):
            z = rng.standard_normal((columns, self.cfg.z_dim)).astype(np.float32)
            cond = sheet_conditions(self.cfg, a, columns)
            ws = self.mapping_ema([z, *cond], training=False)
            ws = self.keras.ops.repeat(ws[:, None, :], self.cfg.num_ws, axis=1)
            imgs = to_uint8(self.keras.ops.convert_to_numpy(self.synthesis_ema(ws, training=False))[..., :3])
            rows.append(np.concatenate(list(imgs), axis=1))
        return np.concatenate(rows, axis=0)


def sheet_conditions(cfg: GanConfig, group: int, columns: int) -> tuple[np.ndarray, ...]:
    """A sample sheet row's conditions: one age group, complexions in turn; with traits, the
    painter's draw for fixed players of that group from nations around the world."""
    if not cfg.traits:
        return np.full(columns, group, np.int32), (np.arange(columns) % len(complexions())).astype(np.int32)
    from facepack.generator.painter.look import sample_look
    from facepack.generator.traits import traits_of

    ages = {0: 19.0, 1: 26.0, 2: 35.0}
    nations = ("SWE", "CAN", "NGA", "JPN", "CZE", "BRA", "USA", "FIN")
    looks = [sample_look(1000 + i, ages[group] + i % 4, nations[i % len(nations)]) for i in range(columns)]
    tones = complexions()
    return (
        np.full(columns, group, np.int32),
        np.array([tones.index(lk.complexion) for lk in looks], np.int32),
        np.stack([traits_of(lk)[: cfg.traits] for lk in looks]),
    )


def export_face_model(trainer: GanTrainer, path: Path, samples_per_condition: int = 256, noise: float = 1.0) -> None:
    """The EMA generator with each condition's mean w filled into the truncation table (a traits
    model averages over its bank of latents in the graph instead)."""
    model = trainer.face_model(noise)
    if trainer.cfg.traits:
        model.save(path)
        return
    rng = np.random.default_rng(0)
    table = []
    for a in range(len(age_groups())):
        for r in range(len(complexions())):
            z = rng.standard_normal((samples_per_condition, trainer.cfg.z_dim)).astype(np.float32)
            n = samples_per_condition
            w = model.get_layer("mapping")([z, np.full(n, a, np.int32), np.full(n, r, np.int32)], training=False)
            table.append(trainer.keras.ops.convert_to_numpy(w).mean(axis=0))
    model.get_layer("truncate").w_avg.assign(np.stack(table).astype(np.float32))
    model.save(path)


def train_generator(
    data: Path,
    out: Path,
    cfg: GanConfig,
    settings: TrainSettings,
    init: Path | None = None,
    log: Callable[[str], None] = print,
    command: str = "",
    export_only: bool = False,
    precision: str = "float32",
    noise: float = 1.0,
) -> Path:
    """Train (or resume) and export; with `export_only`, export the run's last checkpoint as it is."""
    info = read_info(data)
    if not export_only:
        images, alphas, samples = load_arrays(data, "train")
        reals = training_reals(images, alphas, cfg.resolution)
        del images, alphas
        cond = conditions(samples, cfg)
    out.mkdir(parents=True, exist_ok=True)
    trainer = GanTrainer(cfg, settings, precision)
    step, wall, init_run = 0, 0.0, None
    if (out / "checkpoint" / "state.json").exists():
        state = json.loads((out / "checkpoint" / "state.json").read_text())
        # --steps may grow between sessions (train on where the last one stopped); nothing else may change.
        # Runs from before --augment augmented every image.
        if config_of(state) != cfg.to_dict() or {
            "augment": 1.0,
            "balance_ages": False,
            "class_weight": 0.0,
            "face_critic": False,
            "reconstruction": 0.0,
            "kl_weight": 0.01,
            "trait_weight": 0.0,
            **state["settings"],
            "steps": settings.steps,
        } != asdict(settings):
            raise FacepackError(f"{out} holds a run with other settings; use another --out")
        state = trainer.load(out)
        step, wall, init_run = state["step"], state["wall_time_s"], state.get("init_run")
        log(f"resuming {out} at step {step}/{settings.steps}")
    elif export_only:
        raise FacepackError(f"{out}: no checkpoint to export")
    elif init is not None:
        init_run = _init_from(trainer, init)
    if not export_only:
        log(f"training under {trainer.backend} on {trainer.devices} device(s), {trainer.precision}")

    writer = _summary_writer(trainer, out)
    rng = np.random.default_rng([settings.seed, step])
    weights = age_balanced_weights(cond[0]) if settings.balance_ages and not export_only else None
    t0, last = time.perf_counter(), {}
    while step < settings.steps and not export_only:
        idx = (
            rng.choice(len(reals), settings.batch, p=weights)
            if weights is not None
            else rng.integers(0, len(reals), settings.batch)
        )
        batch = reals[idx].astype(np.float32)
        flip = rng.random(settings.batch) < 0.5
        batch[flip] = batch[flip][:, :, ::-1]
        last = trainer.step(step, batch, *(c[idx] for c in cond))
        step += 1
        if writer is not None:
            with writer.as_default():
                for k, v in last.items():
                    trainer.tf.summary.scalar(k, v, step=step)
        elif step % settings.checkpoint_every == 0:
            _append_log(out, step, last)
        if step % settings.sample_every == 0 or step == settings.steps:
            (out / "samples").mkdir(exist_ok=True)
            write_png(out / "samples" / f"step_{step:06d}.png", trainer.sample_sheet())
        if step % settings.checkpoint_every == 0 or step == settings.steps:
            wall += time.perf_counter() - t0
            t0 = time.perf_counter()
            trainer.save(
                out,
                {
                    "step": step,
                    "wall_time_s": wall,
                    "config": cfg.to_dict(),
                    "settings": asdict(settings),
                    "command": command,
                    "init_run": init_run,
                },
            )
            classes = f"  class d {last['d_class']:.3f} g {last['g_class']:.3f}" if "d_class" in last else ""
            classes += f"  l1 {last['l1']:.4f} kl {last['kl']:.1f}" if "l1" in last else ""
            log(
                f"step {step}/{settings.steps}  d {last['d_loss']:.3f}  g {last['g_loss']:.3f}  r1 {last['r1']:.3f}{classes}  {wall:.0f}s"
            )

    export = out / EXPORT
    export_face_model(trainer, export, noise=noise)
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    write_card(
        export,
        training_card(
            "generator",
            data,
            info,
            state["step"],
            state["wall_time_s"],
            command,
            init,
            architecture="conditional StyleGAN2 (mapping + modulated/demodulated convs, noise, skip toRGB; projection critic"
            + ("; AC-GAN class head" if settings.class_weight > 0 else "")
            + ("; face critic" if settings.face_critic else "")
            + ("; VAE-GAN encoder" if settings.reconstruction > 0 else "")
            + ("; trait head" if settings.trait_weight > 0 and cfg.traits else "")
            + ")",
            resolution=cfg.resolution,
            latent_size=cfg.z_dim,
            conditions={"age_group": age_groups(), "complexion": complexions()}
            | ({"traits": list(TRAIT_NAMES[: cfg.traits])} if cfg.traits else {}),
            params=int(trainer.mapping.count_params() + trainer.synthesis.count_params()),
            config=cfg.to_dict(),
            settings=asdict(settings),
            backend=trainer.backend,
            devices=trainer.devices,
            precision=trainer.precision,
            inference_noise=noise,
            trained_complexions=trained_complexions(info),
            **({"trained_traits": bool(info.get("painter"))} if cfg.traits else {}),
            init_run=state.get("init_run"),
        ),
    )
    log(f"exported {export}")
    return export


def age_balanced_weights(age: np.ndarray) -> np.ndarray:
    """Sampling odds under which every age group present is drawn equally often. Tried because
    gan-v5's juniors (a sixth of the data) looked like seniors to the label classifier two
    times in three; 3,000 steps of it moved the junior/senior line without sharpening it, and
    the class head (class_weight) did what it was for (README, Generators). Off by default."""
    counts = np.bincount(age)
    w = 1.0 / counts[age]
    return w / w.sum()


def trained_complexions(info: dict) -> list[str]:
    """The complexion labels a dataset carries: painted portraits know theirs, community ones are 'unknown'."""
    known = complexions()[:-1] if info.get("painter") else []
    return known + (["unknown"] if info.get("facepacks") else [])


def _init_from(trainer: GanTrainer, init: Path) -> dict | None:
    """Fine-tuning: from an exported face model, its synthesis weights, and its mapping's where it
    takes the same conditions; from a run folder, every network of its last checkpoint (critic
    and EMA copies too), so that a run goes on under new settings (a larger batch, a lower rate)
    without a fresh critic first having to catch up, or at a larger --size (GanTrainer.grow_from).
    Optimizer state and step count start afresh.

    Returns, for a run folder, what it had trained when this run took it over (and, nested,
    what that run had taken over): kept in this run's checkpoints, so the card says it even
    after a resume or once that run trains on."""
    import facepack.generator.stylegan.model  # noqa: F401  (registers the layers)

    if init.is_dir():
        state_file = init / "checkpoint" / "state.json"
        if not state_file.exists():
            raise FacepackError(f"--init {init}: a run folder needs its checkpoint/ (or give an exported .keras)")
        state = json.loads(state_file.read_text())
        run_cfg = GanConfig(**config_of(state))
        if run_cfg == trainer.cfg:
            trainer.load_networks(init, taking_over=True)
        elif grows(run_cfg, trainer.cfg):
            trainer.grow_from(init, run_cfg)
        else:
            raise FacepackError(
                f"--init {init}: that run has another network size; give the same --latent and --channel-* "
                "(and the same --size, or a larger one to grow it)"
            )
        taken = {"steps": state["step"], "wall_time_s": round(state["wall_time_s"], 1), "settings": state["settings"]}
        if state.get("command"):
            taken["command"] = state["command"]
        # A run that itself went on from another keeps that one too: the card tells the whole chain.
        return taken | ({"init_run": state["init_run"]} if state.get("init_run") else {})
    source = trainer.keras.saving.load_model(init, compile=False)
    trainer.synthesis.set_weights(source.get_layer("synthesis").get_weights())
    mapping = source.get_layer("mapping").get_weights()
    if [w.shape for w in mapping] == [tuple(w.shape) for w in trainer.mapping.weights]:
        trainer.mapping.set_weights(mapping)
    # else: a model told other conditions (--traits against one without): the synthesis, which
    # draws faces from w, is taken over, and the small mapping network learns the new conditions afresh.
    trainer.mapping_ema.set_weights(trainer.mapping.get_weights())
    trainer.synthesis_ema.set_weights(trainer.synthesis.get_weights())
    return None


def _shapes(layer) -> list[tuple]:
    return [tuple(w.shape) for w in layer.weights]


def _copy_layers(source, target) -> list[str]:
    """Every layer of `target` that `source` has by name at the same shapes takes its weights;
    returns their names."""
    by_name = {layer.name: layer for layer in source.layers}
    copied = []
    for layer in target.layers:
        had = by_name.get(layer.name)
        if had is not None and layer.weights and _shapes(had) == _shapes(layer):
            layer.set_weights(had.get_weights())
            copied.append(layer.name)
    return copied


def _widen_traits(source, target) -> list[str]:
    """The trait-reading dense layers of `target` from `source`'s, which read fewer traits (the
    first ones: names are only appended). The new inputs' weights start at zero, and the old
    ones are rescaled for the equalized learning rate's 1/sqrt(fan-in), so every output is what
    it was; returns their names."""
    widened = []
    for name in ("traits_embed", "traits_proj"):
        try:
            had, layer = source.get_layer(name), target.get_layer(name)
        except ValueError:
            continue
        (w_old, b_old), (w_new, _) = had.get_weights(), layer.get_weights()
        if w_old.shape[0] >= w_new.shape[0] or w_old.shape[1] != w_new.shape[1]:
            continue
        w = np.zeros_like(w_new)
        w[: w_old.shape[0]] = w_old * np.sqrt(w_new.shape[0] / w_old.shape[0])
        layer.set_weights([w, b_old])
        widened.append(name)
    return widened


def config_of(state: dict) -> dict:
    """A checkpoint's network config, with the defaults of fields added since (runs from before
    traits took none; before channel_min the floor was 4)."""
    return {"traits": 0, "channel_min": 4, **state["config"]}


def grows(old: GanConfig, new: GanConfig) -> bool:
    """Whether `new` is `old` with more resolution and/or told more traits (names appended,
    generator/traits.py): every layer `old` has, `new` has at the same shape, but the two that
    read the traits (GanTrainer.grow_from widens them)."""
    more_traits = new.traits > old.traits > 0
    return (
        new.resolution >= old.resolution
        and (new.resolution > old.resolution or more_traits)
        and (new.traits == old.traits or more_traits)
        and replace(old, resolution=new.resolution, channel_min=new.channel_min, traits=new.traits) == new
        and all(old.channels(r) == new.channels(r) for r in old.resolutions)
    )


def _summary_writer(trainer: GanTrainer, out: Path):
    """TensorBoard scalars where TensorFlow is at hand; log.csv (at each checkpoint) where it is not."""
    if trainer.backend != "tensorflow":
        return None
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        return None
    return trainer.tf.summary.create_file_writer(str(out / "tensorboard"))


def _append_log(out: Path, step: int, last: dict) -> None:
    path = out / "log.csv"
    new = not path.exists()
    with open(path, "a", encoding="utf-8") as f:
        if new:
            f.write("step," + ",".join(sorted(last)) + "\n")
        f.write(f"{step}," + ",".join(f"{last[k]:.5f}" for k in sorted(last)) + "\n")
