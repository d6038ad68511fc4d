"""The learned cut-out with a tiny config: a few painted images, seconds of training."""

import json
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest
from conftest import SEASON

from facepack.core.errors import FacepackError
from facepack.core.records import load_arrays
from facepack.dataset.make import DatasetOptions, make_dataset
from facepack.segmenter.evaluate import boundary_distance, iou, spill
from facepack.segmenter.refine import refine

TINY = dict(size=32, base=4, depth=2, batch=4, steps=60, steps_per_epoch=20, learning_rate=5e-3)

# Model training and the shipped networks: minutes of CPU. CI runs them; plain `pytest` skips them.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("data") / "painted"
    make_dataset(DatasetOptions(out=out, painter=14, size=64, holdout=0.3, season=SEASON))
    return out


@pytest.fixture(scope="module")
def trained(tiny_data, tmp_path_factory):
    from facepack.segmenter.train import TrainConfig, train_segmenter

    run = tmp_path_factory.mktemp("run")
    export = train_segmenter(tiny_data, run, TrainConfig(**TINY), log=lambda m: None)
    return run, export


def mean_iou(segmenter_coarse, images, alphas):
    return float(np.mean([iou(p, a) for p, a in zip(segmenter_coarse(list(images)), alphas)]))


def test_training_raises_iou(tiny_data, trained):
    import keras

    from facepack.segmenter.learned import LearnedSegmenter
    from facepack.segmenter.model import build_matte_net

    run, export = trained
    images, alphas, _ = load_arrays(tiny_data, "train")
    learned = LearnedSegmenter(export)
    keras.utils.set_random_seed(0)
    untrained = build_matte_net(TINY["size"], TINY["base"], TINY["depth"])
    learned.model = untrained
    before = mean_iou(learned.coarse, images, alphas)
    after = mean_iou(LearnedSegmenter(export).coarse, images, alphas)
    assert after > before + 0.2
    log = (run / "log.csv").read_text().splitlines()
    assert len(log) == 1 + TINY["steps"] // TINY["steps_per_epoch"]


def test_export_has_a_card_and_round_trips(tiny_data, trained):
    import keras

    from facepack.segmenter.learned import LearnedSegmenter

    run, export = trained
    card = json.loads(export.with_suffix(".json").read_text())
    assert card["kind"] == "segmenter" and card["steps"] == TINY["steps"] and card["params"] > 0 and card["wall_time_s"] > 0
    images, _, _ = load_arrays(tiny_data, "test")
    a = LearnedSegmenter(export).matte(list(images))
    b = LearnedSegmenter(export).matte(list(images))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    direct = keras.saving.load_model(export, compile=False)
    x = cv2.resize(images[0], (TINY["size"],) * 2, interpolation=cv2.INTER_AREA)[None].astype(np.float32)
    seg = LearnedSegmenter(export)
    np.testing.assert_allclose(np.asarray(direct(x))[0, ..., 0], np.asarray(seg.model(x))[0, ..., 0], atol=1e-6)


def test_resume_and_refuse_other_settings(tiny_data, trained):
    from facepack.segmenter.train import TrainConfig, train_segmenter

    run, _ = trained
    said = []
    train_segmenter(tiny_data, run, TrainConfig(**TINY), log=said.append)
    assert any("resuming" in m for m in said)
    with pytest.raises(FacepackError, match="other settings"):
        train_segmenter(tiny_data, run, TrainConfig(**{**TINY, "base": 6}), log=said.append)


def subject_on_blue(size=96):
    image = np.empty((size, size, 3), np.uint8)
    image[:] = (31, 44, 56)
    truth = np.zeros((size, size), np.float32)
    truth[40:, 20:76] = 1.0
    image[truth > 0] = (200, 60, 40)
    return image, truth


def test_refinement_never_grows_into_pure_background():
    image, truth = subject_on_blue()
    coarse = cv2.GaussianBlur(cv2.dilate(truth, np.ones((7, 7), np.uint8)), (0, 0), 2.0)  # overshoots: a rim
    coarse[2:6, 2:6] = 0.9  # and a stray island
    refined = refine(image, coarse)
    assert (refined[coarse < 0.02] == 0).all()
    assert refined[truth == 0].sum() < 0.75 * coarse[truth == 0].sum()
    assert refined[2:6, 2:6].max() == 0.0
    assert iou(refined, truth) > iou(coarse, truth)
    # Knowing the background colour, no matte is left on it at all.
    known = refine(image, coarse, background=(31, 44, 56))
    assert known[truth == 0].max() == 0.0 and known[truth == 1].min() > 0.9


def test_metrics_tell_good_from_bad():
    image, truth = subject_on_blue()
    fg = np.zeros_like(image, dtype=np.float32)
    fg[:] = (200, 60, 40)
    assert iou(truth, truth) == 1.0 and boundary_distance(truth, truth) == 0.0 and spill(image, truth, truth, fg) == 0.0
    grown = cv2.dilate(truth, np.ones((5, 5), np.uint8))
    assert iou(grown, truth) < 1.0 and boundary_distance(grown, truth) >= 1.0 and spill(image, grown, truth, fg) > 0.5


def test_cutout_on_a_folder_with_a_corrupt_image(tmp_path, tiny_data, trained):
    from PIL import Image

    from facepack.generator import FaceRequest, load_generator

    src = tmp_path / "in"
    src.mkdir()
    for i, p in enumerate(load_generator("painter", size=64).generate([FaceRequest(i, 25.0) for i in range(2)])):
        Image.fromarray(p.image).save(src / f"face{i}.png")
    (src / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    _, export = trained
    r = subprocess.run(
        [sys.executable, "-m", "facepack", "cutout", str(src), "--out", str(tmp_path / "out"), "--segmenter-model", str(export)],
        capture_output=True,
        text=True,
        env=dict(os.environ, COLUMNS="200"),
    )
    assert r.returncode == 0, r.stderr
    assert "written 2, kept 0, skipped 1" in r.stdout and "broken.jpg: skipped: unreadable" in r.stderr
    assert "Traceback" not in r.stderr
    with Image.open(tmp_path / "out" / "face0.png") as im:
        assert im.mode == "RGBA" and im.size == (64, 64)
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "facepack",
            "cutout",
            str(src / "face1.png"),
            "--out",
            str(tmp_path / "masks"),
            "--segmenter",
            "chroma",
            "--only-mask",
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0 and r.stderr == ""
    with Image.open(tmp_path / "masks" / "face1.png") as im:
        assert im.mode == "L" and np.asarray(im)[0, 0] == 0 and np.asarray(im)[-1, 32] == 255
