"""Drawing a Look: a pure function from a Look to (image, exact alpha matte).

Shapes are filled at twice the output size with anti-aliased edges and shaded with
smooth fields, then area-averaged down, so that edges are soft the way a photo's
are and the matte is exact at every pixel. Coordinates are fractions of the canvas
side, y pointing down. Face features are placed in head-local units: (0, 0) is the
centre of the head ellipse, (±1, 0) its sides, (0, ±1) its top and bottom.
"""

from __future__ import annotations

import cv2
import numpy as np

from facepack.generator.painter.look import FADED_STYLES, GREY_HAIR, Look, own_hair

SUPERSAMPLE = 2
_SHIFT = 4  # sub-pixel bits for OpenCV's fixed-point drawing


def _mix(a, b, t: float) -> np.ndarray:
    return np.asarray(a, np.float32) * (1 - t) + np.asarray(b, np.float32) * t


def _chaikin(points: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Round the corners of a closed polygon."""
    for _ in range(rounds):
        nxt = np.roll(points, -1, axis=0)
        points = np.concatenate([0.75 * points + 0.25 * nxt, 0.25 * points + 0.75 * nxt], axis=1).reshape(-1, 2)
    return points


def _box(mask: np.ndarray) -> tuple[slice, slice] | None:
    """The bounding box of a mask's non-zero pixels; None for an empty mask."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return None
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


class Canvas:
    def __init__(self, size: int, background: tuple[int, int, int], seed: int):
        self.n = n = size * SUPERSAMPLE
        self.size = size
        self.rgb = np.empty((n, n, 3), np.float32)
        self.rgb[:] = np.asarray(background, np.float32)
        self.alpha = np.zeros((n, n), np.float32)
        self.y, self.x = (np.mgrid[0:n, 0:n].astype(np.float32) + 0.5) / n
        self.rng = np.random.default_rng(seed)

    # -- masks -------------------------------------------------------------
    def _fixed(self, pts) -> np.ndarray:
        return np.round(np.asarray(pts, np.float64) * self.n * (1 << _SHIFT)).astype(np.int32)

    def poly(self, pts) -> np.ndarray:
        m = np.zeros((self.n, self.n), np.uint8)
        cv2.fillPoly(m, [self._fixed(pts)], 255, cv2.LINE_AA, _SHIFT)
        return m.astype(np.float32) / 255.0

    def ellipse(self, cx, cy, rx, ry, angle: float = 0.0) -> np.ndarray:
        m = np.zeros((self.n, self.n), np.uint8)
        c = tuple(int(v) for v in self._fixed((cx, cy)))
        axes = tuple(max(1, int(v)) for v in self._fixed((rx, ry)))
        cv2.ellipse(m, c, axes, angle, 0, 360, 255, -1, cv2.LINE_AA, _SHIFT)
        return m.astype(np.float32) / 255.0

    def polyline(self, pts, width: float) -> np.ndarray:
        m = np.zeros((self.n, self.n), np.uint8)
        thick = max(1, int(round(width * self.n)))
        cv2.polylines(m, [self._fixed(pts)], False, 255, thick, cv2.LINE_AA, _SHIFT)
        return m.astype(np.float32) / 255.0

    def blur(self, mask: np.ndarray, sigma: float) -> np.ndarray:
        # On the whole canvas, though most masks are a small patch: OpenCV's blur of a patch differs
        # from the whole canvas's in the last bit (its vector loops start elsewhere), enough to move a
        # pixel by one level in 8 % of faces, for 8 % of the painter's time.
        return cv2.GaussianBlur(mask, (0, 0), max(0.3, sigma * self.n))

    def smooth_noise(self, cells: int) -> np.ndarray:
        """Noise in [-1, 1] that varies over about 1/cells of the canvas."""
        small = self.rng.uniform(-1, 1, (cells, cells)).astype(np.float32)
        return cv2.resize(small, (self.n, self.n), interpolation=cv2.INTER_CUBIC)

    # -- paint -------------------------------------------------------------
    def paint(self, mask: np.ndarray, colour, opacity: float = 1.0, matte: bool = False) -> None:
        # Only the mask's bounding box changes: most parts cover a small patch of the canvas.
        box = _box(mask)
        if box is None:
            return
        m = mask[box] * opacity
        colour = np.asarray(colour, np.float32)
        if colour.ndim == 3:
            colour = colour[box]
        self.rgb[box] += (colour - self.rgb[box]) * m[..., None]
        if matte:
            np.maximum(self.alpha[box], m, out=self.alpha[box])

    def shade(self, mask: np.ndarray, factor: np.ndarray) -> None:
        """Multiply the colour under `mask` by `factor` (a field or a number)."""
        box = _box(mask)  # outside the mask the factor is exactly 1: nothing to do there
        if box is None:
            return
        f = np.asarray(factor, np.float32)
        if f.ndim == 2:
            f = f[box][..., None]
        self.rgb[box] *= 1.0 + (f - 1.0) * mask[box][..., None]

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        s = self.size
        rgb = cv2.resize(self.rgb, (s, s), interpolation=cv2.INTER_AREA)
        alpha = cv2.resize(self.alpha, (s, s), interpolation=cv2.INTER_AREA)
        return np.clip(np.rint(rgb), 0, 255).astype(np.uint8), np.clip(alpha, 0.0, 1.0)


class Head:
    """Head-local coordinates: rotation by the tilt about the head centre, scaled by the radii."""

    def __init__(self, look: Look, canvas: Canvas):
        self.cx, self.cy, self.rx, self.ry = look.head_cx, look.head_cy, look.head_rx, look.head_ry
        a = np.deg2rad(look.tilt)
        self.cos, self.sin = float(np.cos(a)), float(np.sin(a))
        self.tilt = look.tilt
        self.shape = look.shape
        dx, dy = canvas.x - self.cx, canvas.y - self.cy
        # Local coordinates of every canvas pixel, for the shading fields.
        self.lx = (self.cos * dx + self.sin * dy) / self.rx
        self.ly = (-self.sin * dx + self.cos * dy) / self.ry

    def pt(self, lx, ly) -> np.ndarray:
        lx, ly = np.asarray(lx, np.float64) * self.rx, np.asarray(ly, np.float64) * self.ry
        return np.stack([self.cx + self.cos * lx - self.sin * ly, self.cy + self.sin * lx + self.cos * ly], axis=-1)

    def outline(self, jaw: float, grow: float = 0.0) -> np.ndarray:
        s = self.shape
        t = np.linspace(0, 2 * np.pi, 96, endpoint=False)
        x, y = np.cos(t), np.sin(t)
        lower = np.clip(y, 0, None)
        # The jaw narrows toward the chin (sooner for a V, later for a square jaw), the forehead
        # toward the crown, and the cheekbones widen the face just below the eyes.
        x = x * (1 - (1 - jaw) * lower**s.chin_square) * (1 - s.temples * np.clip(-y, 0, None) ** 3)
        x = x * (1 + s.cheekbones * np.exp(-(((y - 0.12) / 0.3) ** 2)))
        y = y * (1 + s.chin_length * lower)
        return self.pt(x * (1 + grow), y * (1 + grow))


def _gauss(lx, ly, cx, cy, sx, sy) -> np.ndarray:
    return np.exp(-(((lx - cx) / sx) ** 2 + ((ly - cy) / sy) ** 2))


def _strands(canvas: Canvas, mask: np.ndarray, origin, length: float, count: int, curl: bool, thickness: int = 1) -> np.ndarray:
    """A texture in [-1, 1]: hair strands radiating from `origin` (or curls), drawn where `mask` is."""
    n, rng = canvas.n, canvas.rng
    tex = np.full((n, n), 128, np.uint8)
    ys, xs = np.nonzero(mask > 0.3)
    if len(xs) == 0:
        return np.zeros((n, n), np.float32)
    pick = rng.integers(0, len(xs), count)
    x, y = xs[pick].astype(np.float64), ys[pick].astype(np.float64)
    shades = rng.integers(40, 216, count)
    if curl:
        radii = np.maximum(2, (length * n * rng.uniform(0.5, 1.2, count)).astype(int))
        thick = 1 + (rng.random(count) < 0.4)
        for i in range(count):
            cv2.circle(tex, (int(x[i]), int(y[i])), int(radii[i]), int(shades[i]), int(thick[i]), cv2.LINE_AA)
    else:
        d = np.stack([x - origin[0] * n, y - origin[1] * n], 1)
        d = d / (np.linalg.norm(d, axis=1, keepdims=True) + 1e-6) + rng.normal(0, 0.25, (count, 2))
        d = d / (np.linalg.norm(d, axis=1, keepdims=True) + 1e-6)
        d *= (length * n * rng.uniform(0.6, 1.3, count))[:, None]
        x1, y1 = (x + d[:, 0]).astype(int), (y + d[:, 1]).astype(int)
        for i in range(count):
            cv2.line(tex, (int(x[i]), int(y[i])), (int(x1[i]), int(y1[i])), int(shades[i]), thickness, cv2.LINE_AA)
    tex = cv2.GaussianBlur(tex.astype(np.float32), (0, 0), 0.7)
    return (tex - 128.0) / 88.0


# -- parts, back to front -----------------------------------------------------------


def _back_hair(c: Canvas, h: Head, look: Look, hair: np.ndarray) -> None:
    if look.hair_style not in ("long", "medium", "locs"):
        return
    drop = {"long": 1.45, "medium": 0.75, "locs": 1.1}[look.hair_style]
    w = 1.12 + 0.1 * look.hair_volume
    pts = np.concatenate(
        [h.pt([-w, -w * 1.02, -0.7], [-0.1, drop, drop + 0.08]), h.pt([0.7, w * 1.02, w], [drop + 0.08, drop, -0.1])]
    )
    mask = c.poly(_chaikin(pts, 2))
    if look.hair_style == "locs":  # ropes hanging from the crown
        tex = _strands(c, mask, (look.head_cx, look.head_cy - 0.25), 0.09, 260, False, thickness=6)
        c.paint(mask, hair[None, None, :] * 0.62 * (0.8 + 0.4 * tex[..., None]), matte=True)
        return
    # Strands falling from the crown, darker toward the ends: flat, the hair behind the shoulders
    # read as two panels of cloth.
    tex = _strands(c, mask, (look.head_cx, look.head_cy - 0.3), 0.05, 900, False)
    ends = 1.0 - 0.18 * np.clip((h.ly - 0.4) / max(drop - 0.4, 0.3), 0, 1)
    c.paint(mask, hair[None, None, :] * (0.62 * (0.84 + 0.3 * tex) * ends)[..., None], matte=True)


def _neck_and_jersey(c: Canvas, h: Head, look: Look, skin: np.ndarray) -> float:
    cx = look.head_cx
    # A man's neck is about four fifths as wide as his head (neck circumference 39-43 cm against a
    # head breadth of about 15.5 cm), a hockey player's more; at 0.6 every player had a thin neck.
    nw = 0.78 * look.head_rx * look.neck_width
    ys = look.head_cy + look.head_ry * 1.36  # where the shoulders meet the neck
    sw = 0.47 * look.shoulder_width

    neck_top = h.pt([-0.62 * look.neck_width, 0.62 * look.neck_width], [0.4, 0.4])
    neck = c.poly([neck_top[0], neck_top[1], (cx + nw * 1.08, ys + 0.09), (cx - nw * 1.08, ys + 0.09)])
    # Darker under the jaw, where the head shadows the neck.
    under_jaw = np.clip((c.y - (look.head_cy + look.head_ry * 0.95)) / (look.head_ry * 0.45), 0, 1)
    c.paint(neck, skin * 0.78, matte=True)
    c.shade(neck, 0.72 + 0.2 * under_jaw + 0.05 * look.light * (c.x - cx) / nw)

    # The shoulder line from where the collar ends (x0) out to the arm: its points are set between
    # x0 and the shoulder's width, so a wider neck makes a steeper slope, never a fold in the outline.
    x0 = nw * 1.32
    drop = [
        (x0 + (sw - x0) * (f - 0.34) / 0.66, dy)
        for f, dy in ((1.0, 0.17), (0.97, 0.09), (0.86, 0.045), (0.68, 0.018), (0.45, 0.004))
    ]
    drop.append((x0, -0.012))
    left = [(cx - dx, ys + dy) for dx, dy in drop]
    right = [(cx + dx, ys + dy) for dx, dy in reversed(drop)]
    body = np.array([(cx - sw, 1.08)] + left + right + [(cx + sw, 1.08)])
    jersey = c.poly(_chaikin(body, 3))

    depth = {"round": 0.035, "v": 0.085, "laced": 0.07}[look.collar]
    if look.collar == "round":
        opening = c.ellipse(cx, ys - 0.004, nw * 1.22, depth)
    else:
        opening = np.maximum(
            c.poly([(cx - nw * 1.25, ys - 0.02), (cx + nw * 1.25, ys - 0.02), (cx, ys + depth)]),
            c.ellipse(cx, ys - 0.004, nw * 1.18, 0.022),
        )
    trim_band = np.clip(cv2.dilate(opening, np.ones((9, 9), np.uint8)) - opening, 0, 1)
    cloth = np.clip(jersey - opening, 0, 1)

    jersey_rgb = np.asarray(look.jersey, np.float32)
    c.paint(cloth, jersey_rgb, matte=True)
    # Rounded body: darker towards the sides and the bottom, lit from one side.
    side = (c.x - cx) / sw
    shading = 1.0 - 0.22 * side**2 - 0.12 * np.clip((c.y - ys) / 0.25, 0, 1) + 0.06 * look.light * side
    folds = 0.04 * c.smooth_noise(9)
    c.shade(cloth, shading + folds)
    if look.yoke:
        top = np.argmax(jersey > 0.5, axis=0).astype(np.float32) / c.n
        band = ((c.y - top > 0.055) & (c.y - top < 0.085)).astype(np.float32)
        band = c.blur(band, 0.001) * cloth * (np.abs(side) > 0.35)
        c.paint(band, np.asarray(look.trim, np.float32) * (0.85 + 0.15 * shading[..., None]))
    c.paint(trim_band * jersey, np.asarray(look.trim, np.float32) * 0.92, matte=True)
    if look.collar == "laced":
        for k in range(3):
            y = ys + 0.012 + k * 0.016
            w = nw * (0.75 - 0.16 * k)
            lace = c.polyline([(cx - w, y), (cx + w, y + 0.008)], 0.004)
            c.paint(lace, np.asarray(look.trim, np.float32) * 0.8)
    # Neck shadow cast on the jersey just below the collar.
    c.shade(cloth, 1.0 - 0.25 * np.exp(-(((c.x - cx) / (nw * 1.6)) ** 2) - ((c.y - ys) / 0.03) ** 2))
    return ys


def _ears(c: Canvas, h: Head, look: Look, skin: np.ndarray) -> None:
    for side in (-1, 1):
        # The far ear shows less when the head is turned.
        vis = 1.0 - 0.25 * max(0.0, side * look.turn)
        out = look.shape.ear_out
        p = h.pt(side * (0.97 + 0.07 * out), 0.1 + 0.5 * look.shape.eye_height)[()]
        rx, ry = 0.034 * look.ear_size * vis * (1 + 0.35 * out), 0.058 * look.ear_size
        ear = c.ellipse(p[0], p[1], rx, ry, h.tilt + side * (8 + 14 * out))
        c.paint(ear, skin * 0.92, matte=True)
        inner = c.ellipse(p[0] + side * rx * 0.25, p[1], rx * 0.5, ry * 0.62, h.tilt + side * (8 + 14 * out))
        c.paint(c.blur(inner, 0.003), skin * 0.62, 0.55)


def _head(c: Canvas, h: Head, look: Look, skin: np.ndarray) -> np.ndarray:
    head = c.poly(h.outline(look.jaw))
    c.paint(head, skin, matte=True)
    lx, ly = h.lx, h.ly
    r = np.sqrt(lx**2 + (ly * 0.9) ** 2)
    light = 1.0 + 0.09 * look.light * lx
    rim = 1.0 - 0.2 * np.clip((r - 0.6) / 0.45, 0, 1) ** 1.5
    cheek = 1.0 - look.shape.cheek_hollow * _gauss(np.abs(lx), ly, 0.72, 0.4, 0.2, 0.35)  # below the cheekbones
    c.shade(head, light * rim * cheek)
    blush = _gauss(np.abs(lx), ly, 0.5, 0.28, 0.22, 0.16)
    c.paint(head * blush, skin * np.array([1.02, 0.82, 0.8]), 0.22)
    mottle = 1.0 + 0.025 * c.smooth_noise(40)
    c.shade(head, mottle)
    # Sheen: light the skin reflects on the forehead, the cheekbones and the chin. A photograph of
    # dark skin shows the face's build mostly by it; shading alone (a fraction of a dark colour)
    # left dark faces flat, and told apart by little but their hair.
    s, box = look.shape, _box(head)
    if box is not None:  # the fields are worked out on the head's box only: they are the painter's dearest part
        bx, by = lx[box], ly[box]
        lit = 0.5 + 0.5 * np.sign(bx) * look.light  # the lit cheek shines more
        sheen = np.zeros_like(head)
        sheen[box] = np.maximum.reduce(
            [
                _gauss(bx, by, 0.05 * look.light, -0.5 + 0.5 * s.eye_height, 0.3, 0.13),
                _gauss(np.abs(bx), by, 0.5 + 0.4 * s.cheekbones, 0.14 + s.eye_height, 0.16, 0.08) * (0.4 + 0.6 * lit),
                _gauss(bx, by, 0.0, 0.95 + s.chin_length, 0.13, 0.07) * 0.7,
            ]
        )
        c.paint(head * sheen, *_sheen(skin))
    return head


def _sheen(skin: np.ndarray) -> tuple[np.ndarray, float]:
    """The colour of the light skin gives back, and how much: little on fair skin (its shading
    shows the build), up to 0.4 on the darkest."""
    return _mix(skin, (255, 236, 222), 0.4), float(0.08 + 0.32 * np.clip((170.0 - float(np.mean(skin))) / 110.0, 0, 1))


def _wrinkles_and_freckles(c: Canvas, h: Head, look: Look, skin: np.ndarray, head: np.ndarray) -> None:
    w = look.wrinkles
    if w > 0.05:
        lines = np.zeros_like(head)
        for k in range(2 + int(w * 2)):
            ly = -0.48 + 0.09 * k
            xs = np.linspace(-0.42, 0.42, 9)
            lines = np.maximum(lines, c.polyline(h.pt(xs, ly - 0.03 * (1 - xs**2)), 0.0022))
        for side in (-1, 1):
            fold = h.pt(side * np.array([0.2, 0.3, 0.4, 0.42]), np.array([0.3, 0.42, 0.56, 0.68]))
            lines = np.maximum(lines, c.polyline(fold, 0.003))
            for k in range(3):
                crow = h.pt(side * np.array([0.66, 0.78]), look.shape.eye_height + np.array([-0.04 + 0.05 * k, -0.06 + 0.08 * k]))
                lines = np.maximum(lines, c.polyline(crow, 0.0018))
        c.paint(c.blur(lines, 0.0012) * head, skin * 0.7, 0.35 * w)
    if look.freckles > 0:
        dots = np.zeros_like(head)
        rng = c.rng
        for _ in range(int(90 * look.freckles)):
            p = h.pt(rng.normal(0, 0.38), rng.normal(0.12, 0.12))[()]
            dots = np.maximum(dots, c.ellipse(p[0], p[1], 0.0022, 0.0022))
        c.paint(dots * head, skin * np.array([0.8, 0.62, 0.5]), 0.55)


def _turned(p: np.ndarray, dx: np.ndarray, dy: np.ndarray, degrees: float) -> np.ndarray:
    """Points at offsets (dx, dy) from `p`, the offsets turned by `degrees` (clockwise on screen, as
    OpenCV turns an ellipse)."""
    a = np.deg2rad(degrees)
    return np.stack([p[0] + np.cos(a) * dx - np.sin(a) * dy, p[1] + np.sin(a) * dx + np.cos(a) * dy], -1)


def _eyes(c: Canvas, h: Head, look: Look, skin: np.ndarray) -> None:
    es, shape = look.eye_size, look.shape
    shift = 0.08 * look.turn
    for side in (-1, 1):
        ex, ey = side * 0.40 * look.eye_spacing + shift, shape.eye_height
        angle = h.tilt - side * shape.eye_tilt  # a lift of the outer corner turns each eye its own way
        socket = c.ellipse(*h.pt(ex, ey - 0.09)[()], 0.038 * es, 0.02, h.tilt)
        c.paint(c.blur(socket, 0.006), skin * 0.72, shape.deep_set)
        p = h.pt(ex, ey)[()]
        w, hgt = 0.0265 * es, 0.0105 * es * shape.eye_open
        white = c.ellipse(p[0], p[1], w, hgt, angle)
        c.paint(white, (226, 220, 212))
        iris_p = p + np.array([0.004 * look.turn, 0.0008])
        iris = c.ellipse(iris_p[0], iris_p[1], 0.0102 * es, 0.0102 * es) * white
        c.paint(iris, np.asarray(look.eye_colour, np.float32))
        ring = iris - c.ellipse(iris_p[0], iris_p[1], 0.0082 * es, 0.0082 * es) * white
        c.paint(np.clip(ring, 0, 1), np.asarray(look.eye_colour, np.float32) * 0.55, 0.6)
        c.paint(c.ellipse(iris_p[0], iris_p[1], 0.0044 * es, 0.0044 * es) * white, (14, 12, 12))
        glint = c.ellipse(iris_p[0] - 0.003, iris_p[1] - 0.003, 0.0017, 0.0017)
        c.paint(glint, (250, 250, 250), 0.85)
        t = np.linspace(np.pi, 2 * np.pi, 12)
        lid = c.polyline(_turned(p, np.cos(t) * w * 1.04, np.sin(t) * hgt * 1.15, angle), 0.0035)
        c.paint(lid, skin * 0.3, 0.9)
        crease = c.polyline(_turned(p, np.cos(t) * w * 0.95, np.sin(t) * hgt * 1.3 - 0.006, angle), 0.0018)
        c.paint(crease, skin * 0.6, 0.5)
        t2 = np.linspace(0.15 * np.pi, 0.85 * np.pi, 8)
        under = c.polyline(_turned(p, np.cos(t2) * w, np.sin(t2) * hgt * 1.2 + 0.002, angle), 0.002)
        c.paint(c.blur(under, 0.001), skin * 0.7, 0.35 + 0.3 * look.wrinkles)


def _brows(c: Canvas, h: Head, look: Look, hair: np.ndarray) -> None:
    colour = hair * 0.72
    th = 0.045 * look.brow_thickness
    for side in (-1, 1):
        xs = np.linspace(0.16, 0.72, 8)
        arch = -0.05 * (1 + 0.3 * look.brow_arch) * np.sin(np.pi * (xs - 0.16) / 0.62)
        lift = look.shape.eye_height + look.shape.brow_lift
        ys = -0.27 + lift + arch - (0.03 - look.shape.brow_slant) * (xs - 0.16)
        top = h.pt(side * xs + 0.08 * look.turn, ys - th * (1.1 - 0.6 * (xs - 0.16) / 0.56))
        bottom = h.pt(side * xs[::-1] + 0.08 * look.turn, ys[::-1] + th * 0.5)
        brow = c.poly(np.concatenate([top, bottom]))
        c.paint(c.blur(brow, 0.0012), colour, 0.92)


def _nose(c: Canvas, h: Head, look: Look, skin: np.ndarray) -> None:
    nl, nw = look.nose_length, look.nose_width
    shift = 0.16 * look.turn
    dark_side = -1 if look.light > 0 else 1
    top, bw, tw = look.shape.eye_height - 0.02, look.shape.nose_bridge, look.shape.nose_tip
    bridge_x = np.array([0.02, 0.02 + 0.03 * bw, 0.02 + 0.09 * bw, 0.02 + 0.04 * bw])
    bridge = c.poly(h.pt(bridge_x * dark_side + shift, np.array([top, 0.34 * nl, 0.34 * nl, top])))
    c.paint(c.blur(bridge, 0.004), skin * 0.78, 0.45 * bw**0.5)  # a broad bridge casts more shadow
    tip = h.pt(shift, 0.34 * nl)[()]
    c.paint(c.blur(c.ellipse(tip[0], tip[1] - 0.004, 0.012 * nw * tw, 0.009 * tw), 0.003), skin * 1.08, 0.5)
    # The lit ridge of the bridge and the tip's highlight (see _head's sheen).
    shine, strength = _sheen(skin)
    ridge = c.polyline(h.pt(np.full(3, shift - 0.02 * dark_side), np.array([top + 0.1, 0.2 * nl, 0.3 * nl])), 0.006)
    c.paint(c.blur(ridge, 0.003), shine, strength * 0.8)
    glint = c.ellipse(tip[0] - 0.004 * dark_side, tip[1] - 0.006, 0.006 * tw, 0.004 * tw)
    c.paint(c.blur(glint, 0.002), shine, strength)
    for side in (-1, 1):
        n = h.pt(shift + side * 0.085 * nw, 0.4 * nl)[()]
        c.paint(c.blur(c.ellipse(n[0], n[1], 0.0075 * nw, 0.0038, h.tilt - side * 15), 0.001), skin * 0.4, 0.75)
        wing = c.polyline(h.pt(shift + side * np.array([0.1, 0.15, 0.14]) * nw, np.array([0.28, 0.35, 0.42]) * nl), 0.0025)
        c.paint(c.blur(wing, 0.0015), skin * 0.62, 0.5)
    under = c.ellipse(*h.pt(shift, 0.47 * nl)[()], 0.02 * nw, 0.006)
    c.paint(c.blur(under, 0.004), skin * 0.75, 0.35)


def _mouth(c: Canvas, h: Head, look: Look, skin: np.ndarray) -> None:
    mw = 0.30 * look.mouth_width
    my = 0.6 + 0.04 * (look.nose_length - 1) + look.shape.mouth_height
    shift = 0.1 * look.turn
    lips = _mix(skin, (176, 92, 92), 0.32) * 0.9
    up = look.smile * 0.045
    xs = np.linspace(-mw, mw, 15)
    line_y = my - up * (xs / mw) ** 2
    upper_h, lower_h = 0.055 * look.lip_size * look.shape.lip_ratio, 0.085 * look.lip_size / look.shape.lip_ratio
    upper_top = line_y - upper_h * (1 - (xs / mw) ** 2) ** 0.6 + 0.018 * np.exp(-((xs / 0.06) ** 2))
    lower_bot = line_y + lower_h * (1 - (xs / mw) ** 2) ** 0.8
    upper = c.poly(np.concatenate([h.pt(xs + shift, upper_top), h.pt(xs[::-1] + shift, line_y[::-1])]))
    lower = c.poly(np.concatenate([h.pt(xs + shift, line_y), h.pt(xs[::-1] + shift, lower_bot[::-1])]))
    c.paint(c.blur(upper, 0.0012), lips * 0.88, 0.9)
    c.paint(c.blur(lower, 0.0012), lips * 1.02, 0.85)
    c.paint(c.polyline(h.pt(xs * 1.04 + shift, line_y + 0.004), 0.0028), lips * 0.45, 0.9)
    chin = c.ellipse(*h.pt(shift, my + 0.2 * look.lip_size + 0.06)[()], 0.03, 0.008)
    c.paint(c.blur(chin, 0.005), skin * 0.78, 0.4)


def _beard_top(lx: np.ndarray, ly: np.ndarray, high: float, low: float, ramp: float) -> np.ndarray:
    """How far below a beard's upper edge each point lies (0 above it, 1 well inside): the cheek line
    a real beard follows, from the sideburns (`high`, near the ears) down to the corners of the mouth
    and under the nose (`low`). A straight edge across the face covered the nose and read as a
    painted-on band."""
    t = np.clip((0.85 - np.abs(lx)) / 0.55, 0, 1)
    top = high + (low - high) * t * t * (3 - 2 * t)
    return np.clip((ly - top) / ramp, 0, 1)


def _facial_hair(c: Canvas, h: Head, look: Look, hair: np.ndarray, head: np.ndarray) -> None:
    kind = look.facial_hair
    if kind == "none":
        return
    lx, ly = h.lx, h.ly
    under_nose = 0.47 * look.nose_length + 0.02  # the nostrils end at 0.4 x nose length, the moustache sits below
    lips_w = 0.30 * look.mouth_width
    mw = lips_w + 0.06
    my = look.shape.mouth_height  # the moustache sits between the nose, which stays, and the mouth, which moves
    mouth_hole = np.clip(1 - _gauss(lx, ly, 0.1 * look.turn, 0.62 + my, lips_w * 0.8, 0.055 * look.lip_size) * 1.8, 0, 1)
    dark = hair * 0.8
    grain = np.clip(c.rng.random(head.shape).astype(np.float32) * 1.6 - 0.45, 0, 1)
    if kind == "stubble":
        region = head * _beard_top(lx, ly, 0.1, under_nose, 0.15) * np.clip(1 - (np.abs(lx) - 0.8) / 0.1, 0, 1)
        region = np.maximum(region, head * _gauss(lx, ly, 0, 0.48 + 0.6 * my, mw * 1.1, 0.06))
        c.paint(c.blur(region * grain, 0.0008) * mouth_hole, dark, 0.45 * look.beard_density)
        return
    outline = c.poly(h.outline(look.jaw, grow=0.05))
    moustache = _gauss(lx, ly, 0.1 * look.turn, 0.5 + 0.6 * my, mw, 0.055) > 0.35
    region = np.zeros_like(head)
    if kind in ("moustache", "goatee", "beard", "full_beard"):
        region = np.maximum(region, moustache.astype(np.float32) * head)
    if kind == "goatee":
        region = np.maximum(region, (_gauss(lx, ly, 0.1 * look.turn, 0.9 + 0.5 * my, mw * 0.9, 0.28) > 0.3) * outline)
    if kind in ("beard", "full_beard"):
        high = 0.0 if kind == "full_beard" else 0.15  # a full beard grows up the sideburns to eye level
        jaw = _beard_top(lx, ly, high, under_nose, 0.12) * outline
        side_limit = np.clip((1.0 - np.abs(lx)) / 0.05, 0, 1) if kind == "beard" else 1.0
        region = np.maximum(region, jaw * side_limit)
    region = c.blur(region.astype(np.float32), 0.002) * mouth_hole
    if kind in ("beard", "full_beard"):
        region = np.maximum(region, moustache * head * 0.9)
    tex = _strands(c, region, (look.head_cx, look.head_cy), 0.012, 1400, curl=False)
    colour = dark[None, None, :] * (0.85 + 0.35 * tex[..., None])
    density = look.beard_density * (0.95 if kind != "moustache" else 0.9)
    c.paint(region, colour, density, matte=True)


def _hair(c: Canvas, h: Head, look: Look, hair: np.ndarray, head: np.ndarray) -> None:
    style = look.hair_style
    lx, ly = h.lx, h.ly
    rec = look.recession
    # The hairline: higher at the temples as it recedes (the M shape).
    hairline = -0.5 - rec * (0.06 + 0.3 * lx**2) + 0.03 * c.smooth_noise(30)
    if style == "bald":
        # What is left: a horseshoe of cropped hair low on the sides, thinning as it rises and curving
        # out toward the crown, just proud of the skull. Two flat blocks at the temples (until this
        # version) read as paint, not hair.
        edge = 0.8 + 0.17 * np.clip((0.05 - ly) / 0.5, 0, 1)
        band = ((np.abs(lx) > edge) & (ly < 0.05)).astype(np.float32) * np.clip((ly + 0.5) / 0.25, 0, 1)
        fringe = c.blur(band, 0.003) * c.poly(h.outline(look.jaw, grow=0.015))
        c.paint(fringe, hair * 0.85, 0.5)
        c.paint(fringe * np.clip(c.rng.random(head.shape).astype(np.float32) - 0.35, 0, 1), hair * 0.6, 0.8)
        c.paint(c.blur(c.ellipse(*h.pt(-0.3, -0.75)[()], 0.03, 0.015, h.tilt), 0.01), (255, 255, 255), 0.18)
        return
    vol = look.hair_volume
    lined = look.coily and style in FADED_STYLES
    if lined:
        # A line-up: the barber's straight edge across the forehead, turning back square at the
        # temple corners, where the skin shows up to the crown's edge.
        hairline = -0.56 - rec * (0.04 + 0.12 * lx**2) - 0.2 * np.clip((np.abs(lx) - 0.58) / 0.14, 0, 1)
    grow = {
        "buzz": 0.015,
        "crew": 0.05,
        "short": 0.07,
        "side_part": 0.08,
        "swept": 0.09,
        "medium": 0.12,
        "long": 0.1,
        "curly": 0.16,
        "afro": 0.34,
        "high_top": 0.3,
        "locs": 0.14,
    }[style] * (0.6 + 0.8 * vol)
    centre = -0.14 - (0.12 if style == "afro" else 0.0) - (0.05 if style in ("swept", "crew") else 0.0)
    outer = ((lx / (1 + grow)) ** 2 + ((ly - centre) / (0.92 + grow)) ** 2) < 1.0
    if style == "high_top":
        # A flat-topped block of hair above the crown, the sides faded to the skin.
        outer = (np.abs(lx) / 0.9) ** 4 + ((ly + 0.62) / (0.5 + grow)) ** 4 < 1.0
    sides_to = {"medium": 0.45, "long": 0.55, "afro": 0.35, "curly": 0.12, "locs": 0.5, "high_top": -0.5}.get(style, 0.05)
    outer = outer & (ly < sides_to)
    if lined:
        # Cropped close on the sides whatever the top: short curls grown out at the sides read as a bowl cut.
        taper = 1 + grow * np.clip((-0.35 - ly) / 0.5, 0, 1)
        top = (lx / taper) ** 2 + ((ly - centre) / (0.92 + grow)) ** 2 < 1.0
        outer = (top | ((lx / 1.04) ** 2 + (ly / 1.02) ** 2 < 1.0)) & (ly < 0.05)
    # The sideburns, and the temples where hairline and sideburn meet in a curve: a square corner
    # there made every haircut read as a helmet.
    temple = 0.8 - 0.26 * (1 - np.clip((ly + 0.5 + 0.06 * rec) / 0.24, 0, 1)) ** 2
    if lined:
        temple = 0.84
    sideburn = (np.abs(lx) > temple) & (ly < 0.22)
    face = (head > 0.5) & (ly > hairline) & ~sideburn
    if style in ("medium", "long"):
        # A fringe falls over the forehead.
        face = face & ~((ly < -0.32 + 0.06 * np.sin(lx * 9)) & (np.abs(lx) < 0.95))
    region = (outer & ~face).astype(np.float32)
    region = cv2.GaussianBlur(region, (0, 0), 0.9)
    if look.fade > 0:
        # The sides clipped toward the skin from `fade_from` down: what stays is a shadow on the scalp
        # (painted below), and the silhouette hugs the head there instead of the hair's.
        fade_from = 0.1 - 0.55 * look.fade
        faded = np.clip((ly - fade_from) / 0.22, 0, 1) * np.clip((np.abs(lx) - 0.45) / 0.25, 0, 1)
        clipped = region * head * faded
        region = region * (1 - faded)

    origin = tuple(h.pt(0.25 if style == "side_part" else 0.0, -0.35 if style == "swept" else -0.9)[()])
    curl = style in ("curly", "afro", "high_top") or lined
    if style == "locs":  # ropes: fewer, thicker, longer strands
        tex = _strands(c, region, origin, 0.05, 700, False, thickness=4)
    else:
        tex = _strands(c, region, origin, 0.006 if curl else (0.01 if style in ("buzz", "crew") else 0.028), 2600, curl)
    top_light = 1.0 + 0.18 * _gauss(lx, ly, -0.25 * np.sign(look.light or 1), -0.75, 0.45, 0.25)
    root_dark = 0.8 + 0.2 * np.clip((-ly - 0.3) / 0.5, 0, 1)
    colour = _greying(c, h, look, hair, region, origin, curl) * ((0.82 + 0.3 * tex) * top_light * root_dark)[..., None]
    if look.fade > 0:
        grain = np.clip(c.rng.random(head.shape).astype(np.float32) - 0.3, 0, 1)
        c.paint(clipped * (1 - 0.6 * faded), _mix(hair, hair * 0.7, 0.5), 0.45)
        c.paint(clipped * (1 - 0.8 * faded) * grain, hair * 0.6, 0.6)
    if style == "buzz":
        c.paint(region * head, _mix(hair, hair * 0.7, 0.5), 0.55)
        c.paint(region * head * np.clip(c.rng.random(head.shape).astype(np.float32) - 0.3, 0, 1), hair * 0.6, 0.8)
        _hard_part(c, h, look, region * head)
        return
    if style == "high_top":  # the faded sides: a shadow of hair on the scalp below the block
        scalp = (head > 0.5) & (ly < hairline + 0.12) & (ly > -0.95) & ~(region > 0.5)
        c.paint(c.blur(scalp.astype(np.float32), 0.002) * head, _mix(hair, hair * 0.7, 0.5), 0.45)
    c.paint(region, colour, 1.0, matte=True)
    _hard_part(c, h, look, region)
    if style == "side_part":
        part = c.polyline(h.pt(np.array([0.45, 0.42, 0.38]), np.array([-0.55, -0.8, -1.0])), 0.003)
        c.paint(c.blur(part, 0.001) * region, _mix(hair, (210, 170, 150), 0.4), 0.6)
    # Hair casts a soft shadow on the forehead just below it.
    shadow = c.blur(region, 0.006) * head * (1 - region)
    c.shade(shadow, 0.82)


def _greying(c: Canvas, h: Head, look: Look, hair: np.ndarray, region: np.ndarray, origin, curl: bool) -> np.ndarray:
    """The hair's colour, pixel by pixel: a greying player's grey comes as strands among his own
    colour, thickest at the temples and sides, not as one even mix. The even mix (Look.hair, the
    mean) read as a lighter or ashen brown, not as grey, until past half way."""
    if look.grey <= 0:
        return hair[None, None, :]
    g, own = look.grey, own_hair(look)
    strand = np.asarray(GREY_HAIR, np.float32) * 1.05  # single grey hairs catch the light
    sides = np.clip((np.abs(h.lx) - 0.45) / 0.4, 0, 1) * np.clip((0.1 - h.ly) / 0.3, 0, 1)
    share = np.clip(g * (0.4 + 1.1 * sides), 0, 1)
    which = 0.5 + 0.5 * _strands(c, region, origin, 0.006 if curl else 0.022, 1800, curl)
    grey = np.clip((which - (1 - share)) / 0.08, 0, 1)[..., None]
    return own * (1 - grey) + strand * grey


def _hard_part(c: Canvas, h: Head, look: Look, region: np.ndarray) -> None:
    """A shaved part line on one side of a crop: the scalp shows through a thin curved cut."""
    if not look.hard_part:
        return
    side = look.hard_part
    line = c.polyline(h.pt(side * np.array([0.5, 0.47, 0.42, 0.36]), np.array([-0.5, -0.66, -0.82, -0.96])), 0.0035)
    c.paint(c.blur(line, 0.0008) * np.clip(region * 1.5, 0, 1), _mix(look.skin, look.hair, 0.25), 0.85)


def paint(look: Look, size: int, background: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Draw `look` on a size x size canvas; return (RGB uint8, alpha float32 in [0, 1])."""
    c = Canvas(size, background, look.texture_seed)
    h = Head(look, c)
    skin = np.asarray(look.skin, np.float32)
    hair = np.asarray(look.hair, np.float32)
    _back_hair(c, h, look, hair)
    _neck_and_jersey(c, h, look, skin)
    _ears(c, h, look, skin)
    head = _head(c, h, look, skin)
    _wrinkles_and_freckles(c, h, look, skin, head)
    _eyes(c, h, look, skin)
    _brows(c, h, look, hair)
    _nose(c, h, look, skin)
    _mouth(c, h, look, skin)
    _facial_hair(c, h, look, hair, head)
    _hair(c, h, look, hair, head)
    grain = c.rng.normal(0, 2.0, c.rgb.shape[:2]).astype(np.float32)
    c.rgb += (grain * c.alpha)[..., None]
    return c.result()
