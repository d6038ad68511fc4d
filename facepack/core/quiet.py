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


def compute_device(keras) -> str:
    """Where the networks run, in a modder's words: 'GPU (jax: cuda:0)' or 'CPU (tensorflow)'."""
    backend = keras.backend.backend()
    try:
        if backend == "jax":
            import jax

            devices = jax.devices()
            kinds = sorted({d.platform for d in devices})
            name = ", ".join(str(d) for d in devices[:2]) + (" ..." if len(devices) > 2 else "")
            return f"{'GPU' if 'gpu' in kinds or 'cuda' in kinds else 'CPU'} ({backend}: {name})"
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_logical_devices("GPU")
            return f"GPU ({backend}: {', '.join(g.name for g in gpus)})" if gpus else f"CPU ({backend})"
    except Exception:  # noqa: BLE001 - a device query must never stop a build
        pass
    return f"unknown device ({backend})"
