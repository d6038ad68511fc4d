import numpy as np
import pytest

from facepack.generator import UI_BLUE, FaceRequest, load_generator
from facepack.segmenter import load_segmenter
from facepack.segmenter.cleanup import keep_subject


@pytest.fixture(scope="module")
def painted():
    reqs = [
        FaceRequest(100 + i, 18.0 + 2.5 * i, nat)
        for i, nat in enumerate(["NGA", "SWE", "JPN", "CAN", "RUS", "ITA", "NGA", "FIN"])
    ]
    return load_generator("painter", size=128).generate(reqs)


def iou(a, b):
    a, b = a > 0.5, b > 0.5
    return (a & b).sum() / (a | b).sum()


def test_chroma_matches_the_exact_matte(painted):
    seg = load_segmenter("chroma", background=UI_BLUE)
    mattes = seg.matte([p.image for p in painted])
    scores = [iou(m, p.matte) for m, p in zip(mattes, painted)]
    assert min(scores) > 0.97 and np.mean(scores) > 0.985
    assert np.mean([np.abs(m - p.matte).mean() for m, p in zip(mattes, painted)]) < 0.01


def test_stray_islands_are_removed_and_holes_filled():
    alpha = np.zeros((64, 64), np.float32)
    alpha[40:, 10:54] = 1.0  # shoulders on the bottom edge
    alpha[15:40, 22:42] = 1.0  # head
    alpha[2:6, 2:6] = 1.0  # a speck in the background
    alpha[25:30, 28:34] = 0.0  # a hole in the face
    out = keep_subject(alpha)
    assert out[2:6, 2:6].max() == 0.0
    assert out[25:30, 28:34].min() == 1.0
    assert out[45, 30] == 1.0


def test_unknown_segmenter():
    with pytest.raises(ValueError, match="unknown segmenter"):
        load_segmenter("deeplab", background=UI_BLUE)
