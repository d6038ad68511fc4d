"""Making painted portraits look like what the cutter will meet.

From an (image on the UI blue, exact matte) pair the subject's own colours are
recovered, moved and scaled, re-lit and re-coloured, and put on a new background.
With `backgrounds="flat"` (the first shipped model) that is the UI blue jittered,
another colour or a gentle ramp: the model learnt a colour key. With "clutter" half
of the backgrounds are procedural clutter (a crowd of silhouettes, out-of-focus
discs, stripes, text, colours the subject itself wears); with "photos" a third are
flat, a third clutter and a third crops of real photographs (core.photos). Then
noise, blur, JPEG artefacts and texture blotches. The matte follows every geometric
step, so it stays exact.
"""

from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

from facepack.core.matting import foreground
from facepack.generator.base import UI_BLUE


def _smooth(rng: np.random.Generator, size: int, cells: int, channels: int) -> np.ndarray:
    small = rng.uniform(-1, 1, (cells, cells, channels)).astype(np.float32)
    return cv2.resize(small, (size, size), interpolation=cv2.INTER_CUBIC).reshape(size, size, channels)


BACKGROUNDS = ("flat", "clutter", "photos")


def _flat(rng: np.random.Generator, size: int) -> np.ndarray:
    ui = np.asarray(UI_BLUE, np.float32)
    kind = rng.random()
    if kind < 0.5:
        return np.broadcast_to(ui + rng.uniform(-12, 12, 3), (size, size, 3)).astype(np.float32)
    if kind < 0.7:
        return np.broadcast_to(rng.uniform(0, 255, 3), (size, size, 3)).astype(np.float32)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    ramp = (rng.uniform(-1, 1) * yy + rng.uniform(-1, 1) * xx)[..., None] * rng.uniform(0, 18, 3)
    return ui + ramp + _smooth(rng, size, int(rng.integers(2, 6)), 3) * rng.uniform(0, 14)


def _crowd(rng: np.random.Generator, size: int) -> np.ndarray:
    """Heads and shoulders of other people behind the subject, as in a stand or a team photo."""
    img = _flat(rng, size) if rng.random() < 0.5 else np.broadcast_to(rng.uniform(0, 255, 3), (size, size, 3)).copy()
    img = np.ascontiguousarray(img, np.float32)
    for _ in range(int(rng.integers(3, 14))):
        colour = tuple(float(v) for v in rng.uniform(0, 255, 3))
        x, y, r = rng.uniform(0, size), rng.uniform(0.1, 0.9) * size, rng.uniform(0.06, 0.2) * size
        cv2.ellipse(img, (int(x), int(y + 1.6 * r)), (int(1.8 * r), int(1.1 * r)), 0, 180, 360, colour, -1)
        cv2.circle(img, (int(x), int(y)), int(r * 0.7), tuple(float(v) for v in rng.uniform(0, 255, 3)), -1)
    return img


def _bokeh(rng: np.random.Generator, size: int) -> np.ndarray:
    """Out-of-focus lights and shapes: a stadium or a street behind a shallow depth of field."""
    img = (_smooth(rng, size, int(rng.integers(2, 5)), 3) * 80 + rng.uniform(40, 200, 3)).astype(np.float32)
    for _ in range(int(rng.integers(5, 40))):
        colour = tuple(float(v) for v in rng.uniform(0, 255, 3))
        cv2.circle(img, (int(rng.uniform(0, size)), int(rng.uniform(0, size))), int(rng.uniform(0.02, 0.12) * size), colour, -1)
    return cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 4.0) * size / 128)


def _stripes(rng: np.random.Generator, size: int) -> np.ndarray:
    """Flags, boards and walls: hard straight edges in strong colours, and sometimes text."""
    img = np.empty((size, size, 3), np.uint8)  # OpenCV writes text on 8-bit images only
    bands = int(rng.integers(2, 8))
    edges = np.sort(rng.uniform(0, size, bands - 1)).astype(int)
    colours = rng.uniform(0, 255, (bands, 3))
    for k, (a, b) in enumerate(zip(np.r_[0, edges], np.r_[edges, size])):
        img[a:b] = colours[k]
    if rng.random() < 0.5:
        img = img.transpose(1, 0, 2).copy()
    centre = (size / 2, size / 2)
    img = cv2.warpAffine(
        img, cv2.getRotationMatrix2D(centre, rng.uniform(-30, 30), 1.3), (size, size), borderMode=cv2.BORDER_REFLECT
    )
    for _ in range(int(rng.integers(0, 6))):
        text = "".join(rng.choice(list("ABCDEFGHKLMNOPRSTUVWXYZ0123456789 "), int(rng.integers(3, 10))))
        org = (int(rng.uniform(-0.2, 0.8) * size), int(rng.uniform(0.1, 1.0) * size))
        scale = rng.uniform(0.4, 2.0) * size / 256
        cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, tuple(float(v) for v in rng.uniform(0, 255, 3)), 2)
    return img.astype(np.float32)


def _like_subject(rng: np.random.Generator, size: int, fg: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The hard case: a background in the subject's own colours (a red shirt before a red wall)."""
    inside = fg[a > 0.5]
    if len(inside) == 0:
        return _flat(rng, size)
    picks = inside[rng.integers(0, len(inside), 3)]
    weights = (_smooth(rng, size, int(rng.integers(2, 6)), 3) + 1) / 2
    weights /= weights.sum(axis=2, keepdims=True) + 1e-6
    return np.einsum("hwk,kc->hwc", weights, picks) + _smooth(rng, size, 16, 3) * rng.uniform(0, 10)


def _square_crop(rng: np.random.Generator, src: np.ndarray, size: int, smallest: float) -> np.ndarray:
    """A random square of a photograph, at least `smallest` of its short side, resized to size x size."""
    h, w = src.shape[:2]
    side = int(min(h, w) * rng.uniform(smallest, 1.0))
    y, x = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
    return cv2.resize(src[y : y + side, x : x + side], (size, size), interpolation=cv2.INTER_AREA).astype(np.float32)


def _photo(rng: np.random.Generator, size: int, photos: Sequence[np.ndarray]) -> np.ndarray:
    """A random crop of a real photograph: scaled, flipped, recoloured, sometimes out of focus."""
    img = _square_crop(rng, photos[int(rng.integers(0, len(photos)))], size, 0.3)
    if rng.random() < 0.5:
        img = img[:, ::-1]
    img = img * rng.uniform(0.7, 1.3, 3) + rng.uniform(-25, 25)
    if rng.random() < 0.3:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 3.0) * size / 128)
    return img


def _background(
    rng: np.random.Generator, size: int, kind: str, fg: np.ndarray, a: np.ndarray, photos: Sequence[np.ndarray]
) -> np.ndarray:
    if kind == "flat":  # draws exactly what the first model's training drew
        return _flat(rng, size)
    roll = rng.random()
    if (kind == "clutter" and roll < 0.5) or (kind == "photos" and roll < 0.34):
        return _flat(rng, size)
    if kind == "photos" and roll < 0.67 and photos:
        return _photo(rng, size, photos)
    pick = rng.random()
    if pick < 0.3:
        return _crowd(rng, size)
    if pick < 0.55:
        return _bokeh(rng, size)
    if pick < 0.8:
        return _stripes(rng, size)
    return _like_subject(rng, size, fg, a)


def _relight(fg: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Other cameras, other light: exposure, white balance, contrast, saturation, or black and white."""
    fg = fg * rng.uniform(0.6, 1.4) * rng.uniform(0.85, 1.15, 3)
    mean = fg.mean(axis=2, keepdims=True)
    fg = mean + (fg - mean) * rng.uniform(0.3, 1.5)
    fg = 255.0 * (np.clip(fg, 0, 255) / 255.0) ** rng.uniform(0.7, 1.4)
    return fg


def augment(
    image: np.ndarray,
    alpha: np.ndarray,
    rng: np.random.Generator,
    out_size: int,
    backgrounds: str = "flat",
    photos: Sequence[np.ndarray] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """A randomly re-shot copy of one (image, matte) pair, resized to out_size. `backgrounds` is one
    of BACKGROUNDS; `photos` the photographs (HxWx3 uint8) that "photos" crops from."""
    size = image.shape[0]
    fg = foreground(image, alpha, UI_BLUE)
    a = alpha.astype(np.float32)
    varied = backgrounds != "flat"

    s = rng.uniform(0.75, 1.1) if varied else rng.uniform(0.9, 1.1)
    reach = 0.15 if varied else 0.06  # photographs frame people off centre
    dx, dy = rng.uniform(-reach, reach) * size, rng.uniform(-0.04, 0.06) * size
    m = np.array([[s, 0, (1 - s) * size / 2 + dx], [0, s, (1 - s) * size + dy]], np.float32)  # scale about bottom centre
    if rng.random() < 0.5:
        m[0] = [-s, 0, size - ((1 - s) * size / 2 + dx)]
    fg = cv2.warpAffine(fg, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    a = cv2.warpAffine(a, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    if rng.random() < 0.3:  # a portrait-shaped picture squeezed into the square input
        w = int(size * rng.uniform(0.72, 0.85))
        x0 = (size - w) // 2
        fg = cv2.resize(fg[:, x0 : x0 + w], (size, size), interpolation=cv2.INTER_LINEAR)
        a = cv2.resize(a[:, x0 : x0 + w], (size, size), interpolation=cv2.INTER_LINEAR)

    if rng.random() < 0.3:  # the texture blotches of a generator's output, on subject and background alike
        fg = fg + _smooth(rng, size, int(rng.integers(6, 20)), 3) * rng.uniform(4, 14)
    if varied and rng.random() < 0.5:
        fg = _relight(fg, rng)
    img = fg * a[..., None] + _background(rng, size, backgrounds, fg, a, photos) * (1 - a[..., None])
    if varied and rng.random() < 0.1:  # black-and-white photographs
        img = np.repeat(img.mean(axis=2, keepdims=True), 3, axis=2)

    if rng.random() < 0.3:
        sigma = rng.uniform(0.3, 1.0) * size / 128
        img = cv2.GaussianBlur(img, (0, 0), sigma)
        a = cv2.GaussianBlur(a, (0, 0), sigma)
    if rng.random() < 0.5:
        img = img + rng.normal(0, rng.uniform(1, 5), img.shape).astype(np.float32)
    img = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    if rng.random() < 0.4:
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 95))])
        img = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    if out_size != size:
        img = cv2.resize(img, (out_size, out_size), interpolation=cv2.INTER_AREA)
        a = cv2.resize(a, (out_size, out_size), interpolation=cv2.INTER_AREA)
    return img, np.clip(a, 0, 1)


def in_use(image: np.ndarray, alpha: np.ndarray, index: int) -> np.ndarray:
    """The fixed degradation evaluation applies to a held-out image: as a generator's output looks
    (background a little off the UI blue and not flat, mild noise, JPEG). Seeded by index: every
    model is scored on the same pixels. The matte is unchanged."""
    rng = np.random.default_rng(10_000 + index)
    size = image.shape[0]
    fg = foreground(image, alpha, UI_BLUE)
    ui = np.asarray(UI_BLUE, np.float32)
    bg = ui + rng.uniform(-8, 8, 3) + _smooth(rng, size, 3, 3) * 8
    img = fg * alpha[..., None] + bg * (1 - alpha[..., None])
    img = img + rng.normal(0, 2.0, img.shape).astype(np.float32)
    img = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)


def on_photograph(image: np.ndarray, alpha: np.ndarray, index: int, photos: Sequence[np.ndarray]) -> np.ndarray:
    """A held-out subject put, exactly as its matte says, on a crop of a held-out photograph,
    then JPEG-compressed as a shared picture would be. Seeded by index: every model is scored
    on the same pixels. The matte is unchanged."""
    rng = np.random.default_rng(20_000 + index)
    size = image.shape[0]
    bg = _square_crop(rng, photos[index % len(photos)], size, 0.5)
    fg = foreground(image, alpha, UI_BLUE)
    img = np.clip(np.rint(fg * alpha[..., None] + bg * (1 - alpha[..., None])), 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
