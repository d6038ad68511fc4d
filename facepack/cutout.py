"""`facepack cutout`: cut the background out of your own portraits, one PNG per input."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from PIL import Image, ImageOps

from facepack import atomic
from facepack.build import batches
from facepack.compose import Background, composite, local_background
from facepack.errors import FacepackError
from facepack.existing import IMAGE_SUFFIXES, stem_key
from facepack.naming import inside

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


def load_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
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
    if out.exists() and not out.is_dir():
        raise FacepackError(f"--out {out}: exists and is not a folder")
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
            except (OSError, ValueError, Image.DecompressionBombError) as e:
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
