"""Cleaning installed facepacks into training data, as the earlier project did by hand.

Each PNG must carry a birth date in its EHM-style name (…_D_M_YYYY), be no older
than --max-age at the season date (old staff photos look nothing like players),
and have real transparency (an opaque image, or an alpha channel that hides
nothing, has no matte to learn from). Kept images are composited on the UI blue,
padded to a square (bottom-anchored, never stretched) and resized.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np
from PIL import Image

from facepack.core.appearance import appearance_table, region_mix
from facepack.core.records import Sample
from facepack.generator.base import UI_BLUE, age_group
from facepack.naming import person_key
from facepack.players import age_at

_DATE_IN_NAME = re.compile(r"_(\d{1,2})_(\d{1,2})_(\d{4})$")
MIN_HIDDEN = 0.02  # at least this share of pixels must be (mostly) transparent


@dataclass(frozen=True)
class Verdict:
    path: Path
    status: str  # kept | dropped
    reason: str = ""


def birth_date_from_name(stem: str) -> date | None:
    m = _DATE_IN_NAME.search(stem)
    if not m:
        return None
    d, mo, y = (int(g) for g in m.groups())
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def square_on_background(rgba: np.ndarray, size: int, background=UI_BLUE) -> tuple[np.ndarray, np.ndarray]:
    """Pad to a square (sides if tall, top if wide: the bottom edge stays the bottom), composite, resize."""
    h, w = rgba.shape[:2]
    side = max(h, w)
    canvas = np.zeros((side, side, 4), np.uint8)
    x0 = (side - w) // 2
    canvas[side - h :, x0 : x0 + w] = rgba
    alpha = canvas[..., 3].astype(np.float32) / 255.0
    rgb = canvas[..., :3].astype(np.float32) * alpha[..., None] + np.asarray(background, np.float32) * (1 - alpha[..., None])
    interp = cv2.INTER_AREA if side >= size else cv2.INTER_CUBIC
    rgb = cv2.resize(rgb, (size, size), interpolation=interp)
    alpha = cv2.resize(alpha, (size, size), interpolation=interp)
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8), np.clip(alpha, 0, 1)


def top_region(nationality: str | None) -> str:
    if not nationality:
        return "unknown"
    mix = region_mix(nationality, appearance_table())
    return max(sorted(mix), key=lambda k: mix[k])


def clean_facepacks(
    folders: list[Path], size: int, season: date, max_age: float, nations: dict[str, str] | None = None
) -> tuple[list[Verdict], Iterator[Sample]]:
    """Judge every PNG under `folders`; the verdict list fills in as the samples are drawn."""
    verdicts: list[Verdict] = []
    paths = sorted(p for folder in folders for p in folder.rglob("*") if p.suffix.lower() == ".png" and p.is_file())

    def samples() -> Iterator[Sample]:
        for path in paths:
            born = birth_date_from_name(path.stem)
            if born is None:
                verdicts.append(Verdict(path, "dropped", "no birth date in the file name (…_D_M_YYYY)"))
                continue
            age = age_at(born, season)
            if age > max_age:
                verdicts.append(Verdict(path, "dropped", f"age {age:.0f} is over --max-age {max_age:g}"))
                continue
            if age < 0:
                verdicts.append(Verdict(path, "dropped", "born after the season date"))
                continue
            try:
                with Image.open(path) as im:
                    has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
                    rgba = np.asarray(im.convert("RGBA"))
            except (OSError, ValueError) as e:
                verdicts.append(Verdict(path, "dropped", f"unreadable ({e.__class__.__name__})"))
                continue
            if not has_alpha:
                verdicts.append(Verdict(path, "dropped", "opaque (no alpha channel)"))
                continue
            if (rgba[..., 3] < 128).mean() < MIN_HIDDEN:
                verdicts.append(Verdict(path, "dropped", "alpha hides nothing (no transparent background)"))
                continue
            image, alpha = square_on_background(rgba, size)
            nation = (nations or {}).get(person_key(path.stem), "")
            verdicts.append(Verdict(path, "kept"))
            yield Sample(image, alpha, age_group(age), top_region(nation), nation, str(path))

    return verdicts, samples()
