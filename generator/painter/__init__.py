"""The procedural portrait painter: head-and-shoulders hockey players on the UI blue.

Its look sets the ceiling of our default faces, and because it knows the exact
alpha matte of what it paints it is also the ground truth for training and
testing the learned generator and segmenter.
"""

from __future__ import annotations

from typing import Sequence

from facepack.generator.base import UI_BLUE, FaceRequest, Portrait
from facepack.generator.painter.draw import paint
from facepack.generator.painter.look import Look, look_of, sample_look


class PainterGenerator:
    name = "painter"

    def __init__(self, size: int = 256, background: tuple[int, int, int] = UI_BLUE):
        if size < 32:
            raise ValueError("painter size must be at least 32 px")
        self.size = size
        self.background = background

    def generate(self, requests: Sequence[FaceRequest]) -> list[Portrait]:
        out = []
        for r in requests:
            image, matte = paint(look_of(r), self.size, self.background)
            out.append(Portrait(image=image, background=self.background, matte=matte))
        return out


__all__ = ["PainterGenerator", "Look", "look_of", "sample_look", "paint"]
