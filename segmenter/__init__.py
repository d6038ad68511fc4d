"""Background cut-out: a batch of images in, a batch of soft alpha mattes out."""
from __future__ import annotations

from segmenter.base import Segmenter

SEGMENTERS = ("chroma",)


def load_segmenter(name: str = "chroma", *, background: tuple[int, int, int]) -> Segmenter:
    """Return a ready segmenter by name; `background` is the colour the images were made on."""
    if name == "chroma":
        from segmenter.chroma import ChromaKeySegmenter

        return ChromaKeySegmenter(background)
    raise ValueError(f"unknown segmenter {name!r} (choose from: {', '.join(SEGMENTERS)})")


__all__ = ["Segmenter", "load_segmenter", "SEGMENTERS"]
