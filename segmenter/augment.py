"""Making painted portraits look like what the cutter will meet.

From an (image on the UI blue, exact matte) pair the subject's own colours are
recovered, moved and scaled a little, and put on a new background: the UI blue
jittered, another colour, or a non-uniform one (generator outputs rarely have a
perfectly flat background). Then noise, blur, JPEG artefacts and texture blotches.
The matte follows every geometric step, so it stays exact.
"""

from __future__ import annotations

import cv2
import numpy as np

from facepack.core.matting import foreground
from facepack.generator.base import UI_BLUE


def _smooth(rng: np.random.Generator, size: int, cells: int, channels: int) -> np.ndarray:
    small = rng.uniform(-1, 1, (cells, cells, channels)).astype(np.float32)
    return cv2.resize(small, (size, size), interpolation=cv2.INTER_CUBIC).reshape(size, size, channels)


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    ui = np.asarray(UI_BLUE, np.float32)
    kind = rng.random()
    if kind < 0.5:
        return np.broadcast_to(ui + rng.uniform(-12, 12, 3), (size, size, 3)).astype(np.float32)
    if kind < 0.7:
        return np.broadcast_to(rng.uniform(0, 255, 3), (size, size, 3)).astype(np.float32)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    ramp = (rng.uniform(-1, 1) * yy + rng.uniform(-1, 1) * xx)[..., None] * rng.uniform(0, 18, 3)
    return ui + ramp + _smooth(rng, size, int(rng.integers(2, 6)), 3) * rng.uniform(0, 14)


def augment(image: np.ndarray, alpha: np.ndarray, rng: np.random.Generator, out_size: int) -> tuple[np.ndarray, np.ndarray]:
    """A randomly re-shot copy of one (image, matte) pair, resized to out_size."""
    size = image.shape[0]
    fg = foreground(image, alpha, UI_BLUE)
    a = alpha.astype(np.float32)

    s = rng.uniform(0.9, 1.1)
    dx, dy = rng.uniform(-0.06, 0.06) * size, rng.uniform(-0.04, 0.06) * size
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
    img = fg * a[..., None] + _background(rng, size) * (1 - a[..., None])

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
