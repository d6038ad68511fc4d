"""`facepack cutout`: cut the background out of your own portraits, one PNG per input.

A phone photo is 12 to 50 megapixels; a portrait in a game is 200 pixels tall. Every
input is brought to at most MAX_SIDE pixels on its long side while it is decoded (JPEGs
decode at a reduced scale straight away), so time and memory do not grow with the
photo's pixel count beyond decoding it, and the cut-out is written at that size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from PIL import Image, ImageOps

from facepack.build import batches
from facepack.compose import Background, composite
from facepack.core import atomic
from facepack.core.errors import FacepackError
from facepack.core.matting import local_background
from facepack.existing import IMAGE_SUFFIXES, stem_key
from facepack.naming import inside

MAX_SIDE = 1600  # px, the long side of what is cut out and written: 8x what a game shows


@dataclass(frozen=True)
class CutoutResult:
    source: Path
    output: Path | None
    status: str  # written | kept | skipped
    reason: str = ""


def collect_inputs(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in IMAGE_SUFFIXES)
        elif p.is_file():
            found.append(p)
        else:
            raise FacepackError(f"{p}: no such file or folder")
    return found


def _eight_bit(im: Image.Image) -> Image.Image:
    """16- and 32-bit greyscale and float pictures as 8-bit grey: Pillow's own conversion clips them
    at 255, which turns a 16-bit PNG all white."""
    if im.mode not in ("I", "I;16", "I;16L", "I;16B", "I;16N", "F"):
        return im
    a = np.nan_to_num(np.asarray(im, dtype=np.float64))
    peak = float(a.max()) if a.size else 0.0
    if im.mode.startswith("I;16"):
        top = 65535.0
    elif im.mode == "F" and peak <= 1.0:
        top = 1.0  # a float picture in 0..1
    else:  # 32-bit integers: 8-bit values, 16-bit values (how Pillow opens many 16-bit PNGs), or wider
        top = 255.0 if peak <= 255 else 65535.0 if peak <= 65535 else peak
    return Image.fromarray(np.clip(a / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")


def load_rgb(path: Path) -> np.ndarray:
    """The picture as 8-bit RGB, at most MAX_SIDE on its long side, upright as the camera meant."""
    with Image.open(path) as im:
        im.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at 1/2, 1/4 or 1/8 scale when that still covers MAX_SIDE
        im = ImageOps.exif_transpose(im)
        im = _eight_bit(im)
        if max(im.size) > MAX_SIDE:
            im.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info:
            # An already cut-out picture: judge it on a neutral grey rather than on black.
            flat = Image.new("RGBA", im.size, (128, 128, 128, 255))
            flat.alpha_composite(im.convert("RGBA"))
            im = flat
        return np.asarray(im.convert("RGB"))


def border_colour(image: np.ndarray) -> tuple[int, int, int]:
    """The background colour of a portrait whose background is unknown: the median of its top and side edges."""
    edge = np.concatenate([image[0], image[:, 0], image[:, -1]])
    return tuple(int(v) for v in np.median(edge, axis=0))  # type: ignore[return-value]


def by_border_colour(images: list[np.ndarray]) -> list[np.ndarray]:
    """The colour key for pictures whose background is unknown: each keyed on its own border colour."""
    from facepack.segmenter import load_segmenter

    return [load_segmenter("chroma", background=border_colour(img)).matte([img])[0] for img in images]


def open_segmenter(name: str, model: Path | None) -> Callable[[list[np.ndarray]], list[np.ndarray]]:
    """A segmenter for pictures whose background colour is not known in advance."""
    if name == "chroma":
        return by_border_colour
    from facepack.core.quiet import import_keras
    from facepack.segmenter import load_segmenter

    import_keras()
    try:
        return load_segmenter(name, background=None, model=model).matte
    except (FileNotFoundError, ValueError) as e:
        raise FacepackError(str(e)) from None


def check_outputs(inputs: Sequence[Path], out: Path, overwrite: bool) -> None:
    """Refuse, before any work, what would destroy the user's pictures: results written over their inputs."""
    if out.exists() and not out.is_dir():
        raise FacepackError(f"--out {out}: exists and is not a folder")
    sources = {src.resolve() for src in inputs}
    if overwrite and any(inside(out.resolve(), src.stem + ".png") in sources for src in inputs):
        raise FacepackError(f"--out {out}: the cut-outs would replace the original pictures there; choose another folder")


def cut_out(
    inputs: Sequence[Path],
    out: Path,
    segment: Callable[[list[np.ndarray]], list[np.ndarray]],
    background: Background,
    only_mask: bool = False,
    overwrite: bool = False,
    batch_size: int = 8,
    on_item: Callable[[CutoutResult], None] | None = None,
) -> list[CutoutResult]:
    check_outputs(inputs, out, overwrite)
    out.mkdir(parents=True, exist_ok=True)
    out = out.resolve()
    results: list[CutoutResult] = []
    report = on_item or (lambda r: None)
    todo: list[tuple[Path, Path]] = []
    taken: dict[str, Path] = {}
    for src in inputs:
        target = inside(out, src.stem + ".png")
        key = stem_key(target.name)
        if key in taken:
            r = CutoutResult(src, None, "skipped", f"same output name as {taken[key]}")
        elif target.exists() and not overwrite:
            r = CutoutResult(src, target, "kept", "output exists (--overwrite replaces it)")
        else:
            taken[key] = src
            todo.append((src, target))
            continue
        taken.setdefault(key, src)
        results.append(r)
        report(r)

    for batch in batches(todo, batch_size):
        loaded = []
        for src, target in batch:
            try:
                loaded.append((src, target, load_rgb(src)))
            except Image.DecompressionBombError:
                r = CutoutResult(src, None, "skipped", "too many pixels to open safely (over 178 megapixels)")
                results.append(r)
                report(r)
            except (OSError, ValueError, SyntaxError) as e:
                r = CutoutResult(src, None, "skipped", f"unreadable ({e.__class__.__name__})")
                results.append(r)
                report(r)
        if not loaded:
            continue
        mattes = segment([img for _, _, img in loaded])
        for (src, target, img), alpha in zip(loaded, mattes):
            if only_mask:
                pixels = np.clip(np.rint(alpha * 255), 0, 255).astype(np.uint8)
            else:
                pixels = composite(img, alpha, local_background(img, alpha), background)
            atomic.write_png(target, pixels)
            r = CutoutResult(src, target, "written")
            results.append(r)
            report(r)
    return results
