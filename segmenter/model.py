"""The cut-out network: a small U-Net with an atrous pyramid at its bottleneck.

Encoder blocks halve the resolution and double the width; the bottleneck looks at
several ranges at once (atrous rates 1, 2, 4, as in DeepLab's ASPP); the decoder
upsamples and joins each encoder level's features (the skips carry the sharp edges).
Plain Keras 3 layers only, so it trains under any backend and saves as one .keras file.
"""

from __future__ import annotations

import keras
from keras import layers, ops


def _block(x, filters: int, name: str):
    for i in range(2):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv{i}")(x)
        x = layers.BatchNormalization(name=f"{name}_bn{i}")(x)
        x = layers.ReLU(name=f"{name}_relu{i}")(x)
    return x


def _aspp(x, filters: int, rates=(1, 2, 4)):
    branches = [layers.Conv2D(filters, 1, padding="same", activation="relu", name="aspp_1x1")(x)]
    for r in rates:
        branches.append(layers.Conv2D(filters, 3, padding="same", dilation_rate=r, activation="relu", name=f"aspp_rate{r}")(x))
    x = layers.Concatenate(name="aspp_concat")(branches)
    return layers.Conv2D(filters, 1, padding="same", activation="relu", name="aspp_project")(x)


def build_matte_net(size: int = 128, base: int = 12, depth: int = 4) -> keras.Model:
    """RGB uint8-range input (size x size x 3) -> alpha matte in [0, 1] (size x size x 1)."""
    inputs = keras.Input((size, size, 3), name="image")
    x = layers.Rescaling(1.0 / 127.5, offset=-1.0, name="scale")(inputs)
    skips = []
    for d in range(depth):
        x = _block(x, base * 2**d, f"down{d}")
        skips.append(x)
        x = layers.MaxPooling2D(name=f"pool{d}")(x)
    x = _aspp(x, base * 2**depth)
    for d in reversed(range(depth)):
        x = layers.UpSampling2D(interpolation="bilinear", name=f"up{d}")(x)
        x = layers.Concatenate(name=f"skip{d}")([x, skips[d]])
        x = _block(x, base * 2**d, f"dec{d}")
    alpha = layers.Conv2D(1, 1, activation="sigmoid", name="alpha")(x)
    return keras.Model(inputs, alpha, name="matte_net")


@keras.saving.register_keras_serializable(package="facepack")
def matte_loss(y_true, y_pred):
    """Cross-entropy plus L1, weighted up five times on the edge band, where a rim would show."""
    y_pred = ops.clip(y_pred, 1e-6, 1.0 - 1e-6)
    local = ops.average_pool(y_true, pool_size=5, strides=1, padding="same")
    edge = ops.cast(ops.abs(local - y_true) > 1e-3, "float32") + ops.cast((y_true > 0.02) & (y_true < 0.98), "float32")
    weight = 1.0 + 4.0 * ops.minimum(edge, 1.0)
    bce = -(y_true * ops.log(y_pred) + (1.0 - y_true) * ops.log(1.0 - y_pred))
    return ops.mean(weight * (bce + ops.abs(y_true - y_pred)))


@keras.saving.register_keras_serializable(package="facepack")
def hard_iou(y_true, y_pred):
    t, p = y_true > 0.5, y_pred > 0.5
    inter = ops.sum(ops.cast(t & p, "float32"))
    union = ops.sum(ops.cast(t | p, "float32"))
    return inter / ops.maximum(union, 1.0)
