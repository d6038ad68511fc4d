"""Edge refinement: a coarse matte from the network, made exact at full resolution.

The network sees a downscaled image; its matte, scaled back up, is soft and a
little off. A guided filter (He et al.) re-fits it to the full-resolution image's
own edges, but only in a band around the coarse edge and never where the coarse
matte is certainly background, so refinement sharpens an edge without growing the
subject into the background. Then islands and holes are cleaned (the subject is one
region touching the bottom edge).
"""

from __future__ import annotations

import cv2
import numpy as np

from facepack.segmenter.cleanup import keep_subject, reachable_from_border


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """Colour-guided filter: `src` smoothed but following the edges of `guide` (HxWx3 in [0, 1]).

    Each pixel's 3x3 system (colour covariance + eps) is solved in closed form, by the cofactors of
    the symmetric matrix: a general LAPACK solve per pixel was the build's single largest cost (about
    4x slower on a 256-px image)."""
    I = guide.astype(np.float32)
    p = src.astype(np.float32)
    k = (2 * radius + 1, 2 * radius + 1)

    def box(x):
        return cv2.boxFilter(x, -1, k, borderType=cv2.BORDER_REFLECT)

    r, g, b = I[..., 0], I[..., 1], I[..., 2]
    mean_i, mean_p = box(I), box(p)
    mr, mg, mb = mean_i[..., 0], mean_i[..., 1], mean_i[..., 2]
    cov = box(I * p[..., None]) - mean_i * mean_p[..., None]
    # The cofactors cancel where the colour barely varies (flat background: the matrix is ~eps*I),
    # so they are taken in float64; the box filters, the costly part, stay float32.
    f64 = np.float64
    rr, rg, rb = (box(r * r) - mr * mr).astype(f64) + eps, (box(r * g) - mr * mg).astype(f64), (box(r * b) - mr * mb).astype(f64)
    gg, gb, bb = (
        (box(g * g) - mg * mg).astype(f64) + eps,
        (box(g * b) - mg * mb).astype(f64),
        (box(b * b) - mb * mb).astype(f64) + eps,
    )
    c00, c01, c02 = gg * bb - gb * gb, rb * gb - rg * bb, rg * gb - rb * gg
    c11, c12, c22 = rr * bb - rb * rb, rb * rg - rr * gb, rr * gg - rg * rg
    det = rr * c00 + rg * c01 + rb * c02  # > 0: a covariance plus eps is positive definite
    cr, cg, cb = (cov[..., c].astype(f64) for c in range(3))
    ar = ((c00 * cr + c01 * cg + c02 * cb) / det).astype(np.float32)
    ag = ((c01 * cr + c11 * cg + c12 * cb) / det).astype(np.float32)
    ab = ((c02 * cr + c12 * cg + c22 * cb) / det).astype(np.float32)
    offset = mean_p - ar * mr - ag * mg - ab * mb
    return box(ar) * r + box(ag) * g + box(ab) * b + box(offset)


def edge_band(alpha: np.ndarray, width: int) -> np.ndarray:
    """Pixels within `width` of where the matte changes between subject and background."""
    solid = (alpha > 0.5).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 1, 2 * width + 1))
    return (cv2.dilate(solid, kernel) - cv2.erode(solid, kernel)) > 0


def refine(
    image: np.ndarray, coarse: np.ndarray, background: tuple[int, int, int] | None = None, eps: float = 1e-4
) -> np.ndarray:
    """The coarse matte fitted to the image's edges. With `background` (the colour the image was
    made on, when known), background-coloured pixels the border reaches are cleared outright."""
    radius = max(1, round(image.shape[0] / 32))
    fitted = np.clip(guided_filter(image.astype(np.float32) / 255.0, coarse, radius, eps), 0.0, 1.0)
    zone = edge_band(coarse, 2 * radius + 1)
    out = np.where(zone, fitted, coarse).astype(np.float32)
    # Where the coarse matte says "certainly background", refinement may not add subject.
    clear = coarse < 0.02
    out[clear] = np.minimum(out[clear], coarse[clear])
    if background is not None:
        out[pure_background(image, background)] = 0.0
    return keep_subject(out)


def pure_background(image: np.ndarray, background: tuple[int, int, int], tolerance: float = 3.0) -> np.ndarray:
    """Pixels of exactly the background colour (within rounding) that the image border reaches through such pixels."""
    near = np.linalg.norm(image.astype(np.float32) - np.asarray(background, np.float32), axis=2) <= tolerance
    return reachable_from_border(near)
