"""A peer's person segmenter as the coarse matte: MediaPipe's selfie segmentation model.

Our matte network has only ever seen painted people. Google's MediaPipe selfie
segmenter (Apache-2.0) was trained on photographs of real people; measured on real
photographs it keeps the person and drops flags, tripods and grass where ours does not
(README, "Cut out your own portraits"). It is a 250 KB TensorFlow Lite model that
ships inside the `mediapipe` wheels up to 0.10.21; those wheels pin an older
protobuf than TensorFlow's, so instead of depending on `mediapipe` we ship that one
file, byte for byte, with its licence and a card naming its source and checksum
(segmenter/models/selfie_segmentation.json). `python -m facepack.segmenter.selfie
FOLDER` fetches the wheel with pip and extracts and checks it again.

It runs on TensorFlow's own TFLite interpreter (or ai-edge-litert's, where installed),
at 256x256 on the whole image stretched to a square, as MediaPipe's graph feeds it,
with values in [0, 1]. Its soft output is then refined at full resolution by our guided
filter, exactly as the learned network's is.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import threading
import warnings
import zipfile
from importlib.resources import files
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from facepack.core.errors import FacepackError
from facepack.core.quiet import native_stderr_silenced
from facepack.segmenter.refine import refine

MODEL = "selfie_segmentation.tflite"
SOURCE_WHEEL = "mediapipe==0.10.21"
SOURCE_PATH = "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite"
SHA256 = "9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c"


def default_model_path() -> Path:
    return Path(str(files("facepack.segmenter.models").joinpath(MODEL)))


def _interpreter(path: Path):
    try:
        from ai_edge_litert.interpreter import Interpreter  # the TFLite runtime's new home
    except ImportError:
        try:
            with native_stderr_silenced():
                # TensorFlow points to ai-edge-litert on every interpreter it makes; the model runs the same.
                warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")
                import tensorflow as tf

                Interpreter = tf.lite.Interpreter
        except ImportError:
            raise FacepackError(
                "the selfie segmenter needs a TFLite interpreter: TensorFlow (installed with facepack) or ai-edge-litert"
            ) from None
    with native_stderr_silenced():  # XNNPACK announces itself on stderr
        interpreter = Interpreter(model_path=str(path), num_threads=None)
        interpreter.allocate_tensors()
    return interpreter


class SelfieSegmenter:
    name = "selfie"

    def __init__(self, model_path: Path | None = None, background: tuple[int, int, int] | None = None):
        self.path = Path(model_path) if model_path else default_model_path()
        if not self.path.is_file():
            raise FileNotFoundError(f"selfie segmentation model {self.path} not found")
        self.interpreter = _interpreter(self.path)
        detail = self.interpreter.get_input_details()[0]
        self.input_index = detail["index"]
        self.output_index = self.interpreter.get_output_details()[0]["index"]
        self.size = (int(detail["shape"][2]), int(detail["shape"][1]))  # (width, height)
        self.background = background
        self._lock = threading.Lock()

    def coarse(self, images: Sequence[np.ndarray]) -> list[np.ndarray]:
        out = []
        for img in images:
            x = cv2.resize(img, self.size, interpolation=cv2.INTER_AREA).astype(np.float32)[None] / 255.0
            with self._lock:  # one interpreter, one call at a time
                self.interpreter.set_tensor(self.input_index, x)
                self.interpreter.invoke()
                pred = self.interpreter.get_tensor(self.output_index)[0, ..., 0].copy()
            h, w = img.shape[:2]
            out.append(np.clip(cv2.resize(pred, (w, h), interpolation=cv2.INTER_LINEAR), 0.0, 1.0))
        return out

    def matte(self, images: Sequence[np.ndarray]) -> list[np.ndarray]:
        return [refine(img, c, self.background) for img, c in zip(images, self.coarse(images))]


def fetch(folder: Path) -> Path:
    """Download the MediaPipe wheel (pip, no dependencies), extract the model into `folder`, check it."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", tmp, SOURCE_WHEEL]
        subprocess.run(cmd, check=True)
        wheel = next(Path(tmp).glob("mediapipe-*.whl"))
        data = zipfile.ZipFile(wheel).read(SOURCE_PATH)
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        raise FacepackError(f"{SOURCE_PATH} in {wheel.name} has sha256 {digest}, expected {SHA256}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MODEL).write_bytes(data)
    return folder / MODEL


if __name__ == "__main__":
    print(fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")))
