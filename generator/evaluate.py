"""`facepack evaluate generator MODEL DATA`: how good the faces are, measured three ways.

- c2st_accuracy: a classifier two-sample test. A fresh small CNN of fixed
  architecture learns to tell generated faces from held-out real ones, trained until it
  fits its half of them; its accuracy on the other half (and the other way round),
  averaged over C2ST_REPEATS seeds, is reported (0.5: indistinguishable). Untruncated
  (c2st_psi 1.0) by default; c2st_accuracy_at_psi is the same test at build's psi.
- condition_accuracy: a CNN trained on the real training split's labels is asked the
  age group and complexion of generated faces; the share it gets as requested (mean
  of the two), beside the same classifier's accuracy on real held-out faces (the ceiling).
- c2st_face_accuracy: the same test on the face region alone at 96 px (faces()), at build's
  psi: what a person looks at in a pack, where blur and smeared features show.
- near_duplicate_rate: the share of generated faces with another within
  facepack.core.likeness.NEAR_DUPLICATE (an 8x8 Lab thumbnail of the face area; the
  threshold's measurement is in that module).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from facepack.core.likeness import NEAR_DUPLICATE, face_area, near_duplicate_rate
from facepack.core.records import load_arrays
from facepack.generator.stylegan.model import age_groups, complexions, label_indices

# The classifiers judge 64 px copies: the cues (skin, hair, greying, facial hair, artefacts) survive,
# and a CPU trains them to convergence in minutes.
CLASSIFIER_SIZE = 64


def _cnn(keras, size: int, heads: dict[str, int]):
    """The fixed classifier: three strided convolutions, global pooling, one head per task."""
    from keras import layers

    x = inp = keras.Input((size, size, 3))
    for f in (16, 32, 64):
        x = layers.Conv2D(f, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    outs = {k: layers.Dense(n, name=k)(x) for k, n in heads.items()}
    return keras.Model(inp, outs)


def _fit(keras, model, x, ys: dict, seed: int, max_steps: int = 6000, patience: int = 20):
    """The label classifier, on thousands of labelled real faces: it stops where its validation
    loss is lowest. The epoch budget follows the data size (up to `max_steps` gradient steps)."""
    keras.utils.set_random_seed(seed)
    losses = {k: keras.losses.SparseCategoricalCrossentropy(from_logits=True) for k in ys}
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=losses, metrics={k: ["accuracy"] for k in ys})
    stop = keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)
    batch = 16
    per_epoch = -(-int(len(x) * 0.8) // batch)
    epochs = int(np.clip(max_steps // per_epoch, 20, 200))
    model.fit(x, ys, batch_size=batch, epochs=epochs, validation_split=0.2, callbacks=[stop], verbose=0, shuffle=True)


def _scaled(images: np.ndarray, size: int) -> np.ndarray:
    out = np.stack([cv2.resize(i, (size, size), interpolation=cv2.INTER_AREA) for i in images])
    return out.astype(np.float32) / 127.5 - 1.0


def _fit_to_convergence(keras, model, x, y, seed: int, max_steps: int = 6000, loss_floor: float = 0.01):
    """Until the classifier fits its training images (loss under `loss_floor`) or `max_steps` gradient
    steps. Not stopped on a validation loss: a two-sample classifier overfits a few hundred
    images from its first epochs, so its validation loss is lowest before it has learnt
    anything, and the weights restored from there say 0.5, a pass, whatever the faces."""

    class Converged(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if (logs or {}).get("loss", 1.0) < loss_floor:
                self.model.stop_training = True

    keras.utils.set_random_seed(seed)
    model.compile(
        optimizer=keras.optimizers.Adam(3e-3), loss={"fake": keras.losses.SparseCategoricalCrossentropy(from_logits=True)}
    )
    batch = 16
    epochs = int(np.clip(max_steps // -(-len(x) // batch), 20, 300))
    model.fit(x, {"fake": y}, batch_size=batch, epochs=epochs, callbacks=[Converged()], verbose=0, shuffle=True)


def faces(images: np.ndarray) -> np.ndarray:
    """The face region (the one face_code reads) of each portrait, as the pack shows it: the two-sample
    test on whole 64 px portraits cannot see blur or smeared features, this one can."""
    return np.stack([face_area(i) for i in images])


# The face test judges 96 px copies of the face region: about the detail a 200 px portrait shows.
FACE_CLASSIFIER_SIZE = 96


def c2st_accuracy(keras, real: np.ndarray, fake: np.ndarray, size: int, seed: int = 0) -> float:
    """Two folds: a classifier learns on one half and judges the other, then a fresh one the other
    way round, so every image is judged once by a classifier that never saw it (twice the test
    images of a single split, so about 1/sqrt(2) of its spread)."""
    n = min(len(real), len(fake))
    rng = np.random.default_rng(seed)
    x = np.concatenate([_scaled(real[:n], size), _scaled(fake[:n], size)])
    y = np.concatenate([np.zeros(n, np.int32), np.ones(n, np.int32)])
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    halves = np.array_split(np.arange(len(x)), 2)
    right = 0
    for k, (learn, judge) in enumerate([(halves[0], halves[1]), (halves[1], halves[0])]):
        model = _cnn(keras, size, {"fake": 2})
        _fit_to_convergence(keras, model, x[learn], y[learn], seed + k)
        pred = np.argmax(keras.ops.convert_to_numpy(model.predict(x[judge], verbose=0)["fake"]), axis=1)
        right += int((pred == y[judge]).sum())
    return right / len(x)


def _requests(test_labels, samples: int, seed: int):
    """Representative requests with the held-out split's conditions."""
    from facepack.generator.base import FaceRequest

    rng = np.random.default_rng(seed)
    age_of = {"junior": 19.0, "senior": 26.0, "veteran": 35.0}
    picks = rng.integers(0, len(test_labels), samples)
    reqs = []
    for k in picks:
        lab = test_labels[k]
        reqs.append(FaceRequest(seed=int(rng.integers(2**63)), age=age_of[lab.age_group], nationality=lab.nationality or None))
    return reqs


def _generated(generator, test_labels, samples: int, seed: int):
    """Generated faces with the held-out split's conditions."""
    reqs = _requests(test_labels, samples, seed)
    return reqs, [p.image for p in generator.generate(reqs)]


# The two-sample test's spread over seeds (which faces, which split, which start) is a few
# points with 300 held-out real faces: a verdict takes the mean of several.
C2ST_REPEATS = 3


def _c2st_repeated(
    keras, generator, test_x, test_labels, samples: int, seed: int, repeats: int, first: np.ndarray | None = None
) -> list[float]:
    runs = []
    for r in range(repeats):
        if r == 0 and first is not None:
            fake = first
        else:
            # The test judges as many fakes as there are real faces. Each face depends on its own
            # request alone, so painting only those first requests gives the numbers that
            # painting all `samples` of them would.
            reqs = _requests(test_labels, samples, seed + r)[: len(test_x)]
            fake = np.stack([p.image for p in generator.generate(reqs)])
        runs.append(round(c2st_accuracy(keras, test_x, fake, CLASSIFIER_SIZE, seed + r), 4))
    return runs


def c2st_of(
    generator, data: Path, samples: int = 1000, limit_real: int | None = 600, seed: int = 0, repeats: int = C2ST_REPEATS
) -> float:
    """The two-sample test alone (the mean of `repeats`): for an early checkpoint, to show the test tells bad from good."""
    from facepack.core.quiet import import_keras

    keras = import_keras()
    test_x, _, test_labels = load_arrays(data, "test", limit=limit_real)
    return round(float(np.mean(_c2st_repeated(keras, generator, test_x, test_labels, samples, seed, repeats))), 4)


def with_psi(generator, psi: float):
    """The same model at another truncation (psi is an input of the exported model, not a weight)."""
    import copy

    other = copy.copy(generator)
    other.psi = psi
    return other


def evaluate_generator(
    generator,
    data: Path,
    samples: int = 1000,
    limit_real: int | None = 600,
    seed: int = 0,
    repeats: int = C2ST_REPEATS,
    c2st_psi: float | None = 1.0,
) -> dict:
    """`generator` is a LearnedGenerator at the psi build uses; `data` a dataset made by `facepack dataset`.

    The headline two-sample test judges the model at `c2st_psi` (1.0: the distribution it learned;
    None: at the generator's own psi), as StyleGAN's papers measure FID untruncated: truncation
    narrows each condition's faces toward its mean on purpose, and a two-sample test counts that
    narrowness against the model. The test at build's psi is reported beside, as are the
    condition accuracy and near duplicates, which are about the faces a pack gets."""
    from facepack.core.quiet import import_keras

    keras = import_keras()
    size = CLASSIFIER_SIZE
    train_x, _, train_labels = load_arrays(data, "train", limit=3000)
    test_x, _, test_labels = load_arrays(data, "test", limit=limit_real)
    ages, tones = age_groups(), complexions()

    reqs, fakes = _generated(generator, test_labels, samples, seed)
    wanted_age, wanted_tone = [], []
    for r in reqs:
        a, g = generator.condition(r)[1:3]  # (z, age, complexion[, traits])
        wanted_age.append(a)
        wanted_tone.append(g)
    fake = np.stack(fakes)  # the classifiers scale their own copies

    build_runs = _c2st_repeated(keras, generator, test_x, test_labels, samples, seed, repeats, first=fake)
    c2st_psi = generator.psi if c2st_psi is None else c2st_psi
    if c2st_psi == generator.psi:
        c2st_runs = build_runs
    else:
        c2st_runs = _c2st_repeated(keras, with_psi(generator, c2st_psi), test_x, test_labels, samples, seed, repeats)

    classifier = _cnn(keras, size, {"age": len(ages), "complexion": len(tones)})
    ta, tc = label_indices(train_labels)
    _fit(keras, classifier, _scaled(train_x, size), {"age": ta, "complexion": tc}, seed)

    def accuracy(images, age_true, tone_true):
        out = classifier.predict(_scaled(images, size), verbose=0)
        a = (np.argmax(keras.ops.convert_to_numpy(out["age"]), 1) == age_true).mean()
        c = (np.argmax(keras.ops.convert_to_numpy(out["complexion"]), 1) == tone_true).mean()
        return float(a), float(c)

    face_c2st = round(c2st_accuracy(keras, faces(test_x), faces(fake[: len(test_x)]), FACE_CLASSIFIER_SIZE, seed), 4)
    real_age, real_tone = accuracy(test_x, *label_indices(test_labels))
    fake_age, fake_tone = accuracy(fake, np.array(wanted_age), np.array(wanted_tone))
    return {
        "c2st_accuracy": round(float(np.mean(c2st_runs)), 4),
        "c2st_runs": c2st_runs,
        "c2st_psi": c2st_psi,
        "c2st_accuracy_at_psi": round(float(np.mean(build_runs)), 4),
        "c2st_runs_at_psi": build_runs,
        "c2st_face_accuracy": face_c2st,
        "condition_accuracy": round((fake_age + fake_tone) / 2, 4),
        "near_duplicate_rate": round(near_duplicate_rate(fakes), 4),
        "age_accuracy": round(fake_age, 4),
        "complexion_accuracy": round(fake_tone, 4),
        "real_condition_accuracy": round((real_age + real_tone) / 2, 4),
        "real_age_accuracy": round(real_age, 4),
        "real_complexion_accuracy": round(real_tone, 4),
        "real_near_duplicate_rate": round(near_duplicate_rate(list(test_x)), 4),
        "near_duplicate_threshold": NEAR_DUPLICATE,
        "samples": samples,
        "psi": generator.psi,
    }
