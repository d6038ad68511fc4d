import numpy as np
import pytest

from facepack.compose import Background, composite, parse_background
from facepack.core.errors import FacepackError
from facepack.core.matting import fit, foreground
from facepack.profiles import load_profile

UI = (31, 44, 56)
EHM = load_profile("ehm")


def disk(size=64, colour=(200, 60, 40)):
    yy, xx = np.mgrid[0:size, 0:size]
    r = np.hypot(xx - size / 2, yy - size / 2)
    alpha = np.clip(size / 3 - r, 0, 1).astype(np.float32)  # one-pixel soft edge
    image = np.asarray(colour, np.float32) * alpha[..., None] + np.asarray(UI, np.float32) * (1 - alpha[..., None])
    return np.rint(image).astype(np.uint8), alpha


def test_parse_background():
    assert parse_background("ui", EHM) == Background(UI)
    assert parse_background("transparent", EHM).transparent
    assert parse_background("#FFffff", EHM) == Background((255, 255, 255))
    with pytest.raises(FacepackError):
        parse_background("blue-ish", EHM)


def test_fit_keeps_aspect_and_anchors_bottom():
    image = np.zeros((200, 200, 3), np.uint8)
    image[-10:] = 255  # a white strip on the bottom edge
    alpha = np.ones((200, 200), np.float32)
    out, a = fit(image, alpha, (157, 200))
    assert out.shape == (200, 157, 3) and a.shape == (200, 157)
    assert out[-1].min() == 255 and out[0].max() == 0
    tall = np.zeros((300, 100, 3), np.uint8)
    tall[-5:] = 255
    out, _ = fit(tall, np.ones((300, 100), np.float32), (100, 100))
    assert out.shape == (100, 100, 3) and out[-1].min() == 255  # the bottom is kept, the top cropped


def test_on_the_ui_blue_the_source_is_unchanged():
    image, alpha = disk()
    out = composite(image, alpha, UI, Background(UI))
    assert np.abs(out.astype(int) - image.astype(int)).max() <= 1


def test_spill_is_removed_on_other_backgrounds():
    image, alpha = disk(colour=(200, 60, 40))
    out = composite(image, alpha, UI, Background((255, 255, 255)))
    edge = (alpha > 0.05) & (alpha < 0.95)
    assert edge.any()
    # On white, an edge pixel lies between the subject's red and white: blue never exceeds green there.
    px = out[edge].astype(int)
    expected = np.asarray([200, 60, 40]) * alpha[edge][:, None] + 255 * (1 - alpha[edge][:, None])
    assert np.abs(px - expected).max() <= 2


def test_transparent_gives_rgba_with_the_matte():
    image, alpha = disk()
    out = composite(image, alpha, UI, Background(None))
    assert out.shape[2] == 4
    assert out[0, 0, 3] == 0 and out[32, 32, 3] == 255
    assert tuple(out[32, 32, :3]) == (200, 60, 40)


def test_foreground_recovers_the_subject_colour():
    image, alpha = disk(colour=(10, 220, 90))
    fg = foreground(image, alpha, UI)
    edge = (alpha > 0.3) & (alpha < 0.95)
    assert np.abs(fg[edge] - np.array([10, 220, 90])).max() < 4


@pytest.mark.parametrize("block", [16, 256])
def test_the_face_index_answers_as_comparing_with_every_face(block, monkeypatch):
    """FaceIndex buckets codes by their channel means; it must find every face within the threshold
    that a comparison with every kept face finds, and no other: on clustered codes with many near
    misses. With small blocks a cell's codes span many of them. A kept code is within 0.002 of the
    code itself."""
    from facepack.core.likeness import NEAR_DUPLICATE, STEP, FaceIndex, _Cell, stored

    monkeypatch.setattr(_Cell, "BLOCK", block)

    rng = np.random.default_rng(0)
    centres = rng.uniform(0, 255, (20, 192))
    codes = np.clip(centres[rng.integers(0, 20, 3000)] + rng.normal(0, 1.6, (3000, 192)), 0, 255).astype(np.float32)  # ~2.0 apart
    index, kept, seen = FaceIndex(), [], []
    verdicts = []
    for code in codes:
        nearest = float(np.sqrt(((np.stack(kept) - code / STEP) ** 2).mean(axis=1)).min()) * STEP if kept else np.inf
        brute = nearest < NEAR_DUPLICATE
        assert index.too_close(code) == brute
        if brute:  # the same number, not only the same verdict: build keeps the least alike re-draw by it
            assert index.nearest(code) == nearest
            exact = float(np.sqrt(((np.stack(seen) - code) ** 2).mean(axis=1)).min())
            assert abs(nearest - exact) <= STEP / 2
        verdicts.append(brute)
        index.add(code)
        kept.append(stored(code))
        seen.append(code)
    assert 0.05 < np.mean(verdicts) < 0.95  # the test saw both answers often
    assert max(len(c.blocks) for c in index.cells.values()) > (1 if block == 16 else 0)
