"""Background cut-out: a batch of images in, a batch of soft alpha mattes out."""

from __future__ import annotations

from pathlib import Path

from facepack.segmenter.base import Segmenter

SEGMENTERS = ("learned", "selfie", "chroma")


def load_segmenter(
    name: str = "learned", *, background: tuple[int, int, int] | None, model: Path | None = None, batch_size: int = 8
) -> Segmenter:
    """A ready segmenter by name. `background` is the colour the images were made on, None when
    unknown (the colour key needs it); `model` a .keras file for the learned one (default: shipped).
    `selfie` is MediaPipe's person segmenter with our refinement (segmenter.selfie)."""
    if name == "chroma":
        from facepack.segmenter.chroma import ChromaKeySegmenter

        if background is None:
            raise ValueError("the colour key needs the background colour")
        return ChromaKeySegmenter(background)
    if name == "learned":
        from facepack.segmenter.learned import LearnedSegmenter

        return LearnedSegmenter(model, background=background, batch_size=batch_size)
    if name == "selfie":
        from facepack.segmenter.selfie import SelfieSegmenter

        return SelfieSegmenter(background=background)
    raise ValueError(f"unknown segmenter {name!r} (choose from: {', '.join(SEGMENTERS)})")


__all__ = ["Segmenter", "load_segmenter", "SEGMENTERS"]
