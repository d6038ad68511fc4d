"""Cut-outs measured against the world: package photographs, reference person masks, MediaPipe's model."""

import hashlib
import importlib.util
import json

import cv2
import numpy as np
import pytest

from facepack.core import photos
from facepack.core.errors import FacepackError
from facepack.generator import UI_BLUE, FaceRequest, load_generator
from facepack.segmenter import augment as aug
from facepack.segmenter.people import IGNORE, agreement, reference_mask
from facepack.segmenter.selfie import SHA256, default_model_path

needs_photos = pytest.mark.skipif(not photos.photos_available(), reason='needs pip install "facepack[photos]"')


@pytest.fixture(scope="module")
def painted():
    reqs = [FaceRequest(300 + i, 20.0 + 3 * i, nat) for i, nat in enumerate(["SWE", "NGA", "JPN", "CAN"])]
    return load_generator("painter", size=96).generate(reqs)


def test_training_and_evaluation_photographs_never_overlap():
    train = {e[2] for e in photos.TRAIN_BACKGROUNDS}
    held = {e[2] for e in photos.HELD_OUT_BACKGROUNDS}
    people = {e[2] for e in photos.PEOPLE}
    assert not (train & held) and not (train & people) and not (held & people)


def test_missing_photographs_say_how_to_get_them(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert not photos.photos_available()
    with pytest.raises(FacepackError, match=r"facepack\[photos\]"):
        photos.load_backgrounds("train")


@needs_photos
def test_package_photographs_are_read_as_rgb():
    for p in photos.load_backgrounds("held_out"):
        assert p.pixels.dtype == np.uint8 and p.pixels.ndim == 3 and p.pixels.shape[2] == 3
        assert min(p.pixels.shape[:2]) >= 256


# augment() before photographs existed (commit ce937d5), on the subject below with this seed: the
# image's and the matte's digests. The subject is drawn here, not painted, so that a change to the
# painter does not move them (a painted face did, twice).
FLAT_DIGESTS = ("ee18cb5001c0a0d7", "934ad3aec7fbf6c2")


def _fixed_subject() -> tuple[np.ndarray, np.ndarray]:
    """A shaded disc over a bar on the UI blue, with its exact matte."""
    y, x = np.mgrid[0:96, 0:96].astype(np.float32)
    a = np.clip(22 - np.hypot(x - 48, y - 38), 0, 1)
    a = np.maximum(a, ((y > 62) & (np.abs(x - 48) < 36)).astype(np.float32))
    img = np.empty((96, 96, 3), np.uint8)
    img[...] = UI_BLUE
    img[a > 0] = np.stack([x * 2, y * 2, 255 - x - y], -1)[a > 0].astype(np.uint8)
    return img, a


def test_flat_backgrounds_draw_what_the_first_model_drew(painted):
    """The first shipped model's recipe stays reproducible: "flat" consumes the generator exactly as before."""
    img, a = painted[0].image, painted[0].matte
    x1, m1 = aug.augment(img, a, np.random.default_rng(5), 64)
    x2, m2 = aug.augment(img, a, np.random.default_rng(5), 64, "flat", [np.zeros((300, 300, 3), np.uint8)])
    assert np.array_equal(x1, x2) and np.array_equal(m1, m2)
    x, m = aug.augment(*_fixed_subject(), np.random.default_rng(5), 64)
    assert (hashlib.sha256(x.tobytes()).hexdigest()[:16], hashlib.sha256(m.tobytes()).hexdigest()[:16]) == FLAT_DIGESTS


@pytest.mark.parametrize("kind", ["clutter", "photos"])
def test_varied_backgrounds_keep_the_matte_exact(painted, kind):
    """Where the matte is solid the subject shows, and the background is no longer one colour."""
    bank = [np.random.default_rng(1).integers(0, 255, (320, 400, 3), dtype=np.uint8)]
    spreads = []
    for k in range(12):
        p = painted[k % len(painted)]
        x, m = aug.augment(p.image, p.matte, np.random.default_rng([9, k]), 96, kind, bank)
        assert x.shape == (96, 96, 3) and x.dtype == np.uint8 and m.shape == (96, 96)
        assert 0.0 <= m.min() and m.max() <= 1.0 and 0.1 < (m > 0.5).mean() < 0.9
        spreads.append(x[m < 0.01].std(axis=0).mean())
    assert np.mean(np.asarray(spreads) > 15) >= 0.3  # the flat UI blue's spread is a few levels
    xa, _ = aug.augment(painted[0].image, painted[0].matte, np.random.default_rng(3), 96, kind, bank)
    xb, _ = aug.augment(painted[0].image, painted[0].matte, np.random.default_rng(3), 96, kind, bank)
    assert np.array_equal(xa, xb)


def test_on_photograph_puts_the_subject_exactly_where_its_matte_is(painted):
    p = painted[1]
    bank = [np.full((300, 300, 3), (200, 30, 30), np.uint8)]
    x = aug.on_photograph(p.image, p.matte, 0, bank).astype(np.float32)
    background = p.matte < 0.01
    assert np.abs(x[background] - (200, 30, 30)).mean() < 6  # JPEG's error only
    assert np.abs(x[p.matte > 0.99] - p.image[p.matte > 0.99]).mean() < 6
    assert np.array_equal(aug.on_photograph(p.image, p.matte, 0, bank), aug.on_photograph(p.image, p.matte, 0, bank))


def test_a_sloppy_trace_is_fitted_to_the_photographs_edges():
    """The reference masks come from hand-traced polygons; GrabCut must pull a trace that is off
    by several pixels onto the true edge."""
    rng = np.random.default_rng(0)
    img = rng.integers(90, 160, (200, 200, 3), dtype=np.uint8)
    img[..., 2] = 200  # a bluish textured wall
    truth = np.zeros((200, 200), np.uint8)
    cv2.ellipse(truth, (100, 200), (70, 60), 0, 180, 360, 1, -1)  # shoulders
    cv2.circle(truth, (100, 100), 45, 1, -1)  # head, joined to the shoulders
    img[truth > 0] = (180, 110, 60)
    (contour,), _ = cv2.findContours(truth, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    corners = cv2.approxPolyDP(contour, 3, True)[:, 0]
    trace = (corners + rng.uniform(-5, 5, corners.shape)).round().astype(int).tolist()  # a hand 5 px off
    ignore = [[0, 0], [20, 0], [20, 20], [0, 20]]
    mask = reference_mask(img, trace, ignore, band=8)
    assert (mask[:20, :20] == IGNORE).all()
    traced = np.zeros_like(truth)
    cv2.fillPoly(traced, [np.asarray(trace, np.int32)], 1)
    assert agreement((mask == 1).astype(np.float32), truth) > 0.98 > agreement(traced.astype(np.float32), truth)


def test_agreement_scores_neither_way_what_is_ignored():
    ref = np.zeros((10, 10), np.uint8)
    ref[5:] = 1
    ref[:2] = IGNORE
    matte = ref.astype(np.float32)
    matte[:2] = 1.0  # claiming the ignored rows costs nothing
    assert agreement(matte, ref) == 1.0
    matte[3] = 1.0  # claiming a background row does
    assert agreement(matte, ref) == pytest.approx(5 / 6)


def test_the_shipped_selfie_model_is_the_one_its_card_names():
    data = default_model_path().read_bytes()
    card = json.loads(default_model_path().with_suffix(".json").read_text())
    assert hashlib.sha256(data).hexdigest() == SHA256 == card["source"]["sha256"]
    assert "Apache" in (default_model_path().parent / "LICENSE-mediapipe.txt").read_text()[:200]


@pytest.mark.slow
def test_selfie_keeps_a_person_and_drops_the_backdrop():
    """MediaPipe's model through TensorFlow's TFLite interpreter, refined by our guided filter."""
    from facepack.segmenter import load_segmenter

    seg = load_segmenter("selfie", background=None)
    img = load_generator("painter", size=192).generate([FaceRequest(7, 25.0, "SWE")])[0]
    rgb = img.image.copy()
    rgb[img.matte < 0.5] = (230, 230, 230)  # a pale studio backdrop
    (matte,) = seg.matte([rgb])
    assert matte.shape == rgb.shape[:2] and matte.dtype == np.float32
    assert agreement(matte, (img.matte > 0.5).astype(np.uint8)) > 0.8
    assert seg.matte([rgb])[0].tobytes() == matte.tobytes()  # deterministic


@needs_photos
@pytest.mark.slow
def test_photograph_measures_tell_a_person_model_from_a_colour_key():
    """On real people the selfie model agrees with the reference masks and the UI-blue colour key does not."""
    from facepack.segmenter import load_segmenter
    from facepack.segmenter.evaluate import people_scores

    selfie = people_scores(load_segmenter("selfie", background=None).matte)
    chroma = people_scores(load_segmenter("chroma", background=UI_BLUE).matte)
    assert selfie["mean_agreement"] > 0.9 > 0.6 > chroma["mean_agreement"]
