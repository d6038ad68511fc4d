"""Importing TensorFlow/Keras without its C++ start-up chatter on the user's terminal.

TensorFlow prints oneDNN, CUDA-stub and CPU-feature notices from C++ before any
logging setting is read, so only pointing file descriptor 2 elsewhere during the
import silences them. Python errors still surface as usual. FACEPACK_DEBUG=1 shows all.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager


@contextmanager
def native_stderr_silenced():
    if os.environ.get("FACEPACK_DEBUG"):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with native_stderr_silenced():
        import keras

        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            tf.config.list_physical_devices()  # device discovery prints too (a cuInit error where no GPU is)
    return keras
