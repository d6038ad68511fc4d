"""A before/after sheet of cut-outs on photographs nobody here made: docs/cutout_photos.jpg.

Rows: the real photographs of people (core.photos.PEOPLE) and painted subjects on
held-out photographs. Columns: the photograph, then each segmenter's cut-out on white,
then the chosen one on the EHM blue. Each cut-out is labelled with its agreement (people)
or IoU (painted subjects) against the reference.

    pip install "facepack[photos]"
    python benchmarks/sheet_cutout_photos.py [--before OLD.keras] [--learned NEW.keras] [--out docs/cutout_photos.jpg]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from facepack.core.game import UI_BLUE
from facepack.core.photos import load_backgrounds
from facepack.core.quiet import import_keras
from facepack.core.records import load_arrays
from facepack.segmenter import load_segmenter
from facepack.segmenter.augment import on_photograph
from facepack.segmenter.evaluate import iou
from facepack.segmenter.people import agreement, load_references

TILE = 200


def _tile(image: np.ndarray, label: str = "") -> np.ndarray:
    h, w = image.shape[:2]
    s = TILE / max(h, w)
    small = cv2.resize(image, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    canvas = np.full((TILE, TILE, 3), 255, np.uint8)
    y, x = (TILE - small.shape[0]) // 2, (TILE - small.shape[1]) // 2
    canvas[y : y + small.shape[0], x : x + small.shape[1]] = small
    if label:
        cv2.putText(canvas, label, (4, TILE - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (200, 0, 0), 1, cv2.LINE_AA)
    return canvas


def _on(image: np.ndarray, matte: np.ndarray, colour) -> np.ndarray:
    a = matte[..., None]
    return np.clip(image * a + np.asarray(colour, np.float32) * (1 - a), 0, 255).astype(np.uint8)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, help="the earlier learned model (.keras)")
    ap.add_argument("--learned", type=Path, help="the learned model to show (default: the shipped one)")
    ap.add_argument("--data", type=Path, default=Path("runs/data/painter256"), help="a dataset whose test split has subjects")
    ap.add_argument("--out", type=Path, default=Path("docs/cutout_photos.jpg"))
    args = ap.parse_args()

    import_keras()
    columns = []
    if args.before:
        columns.append(("before", load_segmenter("learned", background=None, model=args.before)))
    columns += [
        ("learned", load_segmenter("learned", background=None, model=args.learned)),
        ("selfie", load_segmenter("selfie", background=None)),
    ]

    rows: list[tuple[np.ndarray, object]] = [(r.image, r.mask) for r in load_references()]
    if args.data.exists():
        images, alphas, _ = load_arrays(args.data, "test", limit=3)
        held = [p.pixels for p in load_backgrounds("held_out")]
        rows += [(on_photograph(img, a, i, held), a) for i, (img, a) in enumerate(zip(images, alphas))]

    sheet = []
    for k, (image, truth) in enumerate(rows):
        person = k < 3
        tiles = [_tile(image)]
        mattes = {}
        for name, seg in columns:
            m = seg.matte([image])[0]
            mattes[name] = m
            score = agreement(m, truth) if person else iou(m, truth)
            tiles.append(_tile(_on(image, m, (255, 255, 255)), f"{name} {score:.3f}"))
        best = "selfie" if person else "learned"
        tiles.append(_tile(_on(image, mattes[best], UI_BLUE), f"{best} on EHM blue"))
        sheet.append(np.hstack(tiles))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.out), np.vstack(sheet)[..., ::-1])
    print(args.out)


if __name__ == "__main__":
    main()
