"""StyleGAN2 building blocks in plain Keras 3 (keras.ops only: any backend).

Weights are stored at unit variance and scaled at run time by 1/sqrt(fan_in)
("equalized learning rate"), as StyleGAN does, so Adam moves every layer at the
same pace. Modulation scales the input channels by a style from w; demodulation
rescales each output channel back to unit variance; this is the non-fused form,
equal to the grouped convolution of the paper and cheaper on a CPU.
"""

from __future__ import annotations

import math

import keras
from keras import layers, ops

SQRT2 = math.sqrt(2.0)


def lrelu(x):
    return ops.leaky_relu(x, negative_slope=0.2) * SQRT2


@keras.saving.register_keras_serializable(package="facepack")
class EqualDense(layers.Layer):
    def __init__(self, units: int, lr_mul: float = 1.0, bias_init: float = 0.0, activate: bool = False, **kw):
        super().__init__(**kw)
        self.units, self.lr_mul, self.bias_init, self.activate = units, lr_mul, bias_init, activate

    def build(self, shape):
        fan_in = int(shape[-1])
        self.w = self.add_weight(
            shape=(fan_in, self.units), initializer=keras.initializers.RandomNormal(0.0, 1.0 / self.lr_mul), name="w"
        )
        self.b = self.add_weight(
            shape=(self.units,), initializer=keras.initializers.Constant(self.bias_init / self.lr_mul), name="b"
        )
        self.scale = self.lr_mul / math.sqrt(fan_in)

    def call(self, x):
        y = ops.matmul(x, self.w * self.scale) + self.b * self.lr_mul
        return lrelu(y) if self.activate else y

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "lr_mul": self.lr_mul,
            "bias_init": self.bias_init,
            "activate": self.activate,
        }


@keras.saving.register_keras_serializable(package="facepack")
class EqualConv(layers.Layer):
    def __init__(self, filters: int, kernel_size: int = 3, activate: bool = True, **kw):
        super().__init__(**kw)
        self.filters, self.kernel_size, self.activate = filters, kernel_size, activate

    def build(self, shape):
        k, cin = self.kernel_size, int(shape[-1])
        self.w = self.add_weight(shape=(k, k, cin, self.filters), initializer=keras.initializers.RandomNormal(0.0, 1.0), name="w")
        self.b = self.add_weight(shape=(self.filters,), initializer="zeros", name="b")
        self.scale = 1.0 / math.sqrt(k * k * cin)

    def call(self, x):
        y = ops.conv(x, self.w * self.scale, padding="same") + self.b
        return lrelu(y) if self.activate else y

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size, "activate": self.activate}


@keras.saving.register_keras_serializable(package="facepack")
class ModulatedConv(layers.Layer):
    """conv(x * style(w)) with per-sample demodulation; inputs [x, w]."""

    def __init__(self, filters: int, kernel_size: int = 3, demodulate: bool = True, upsample: bool = False, **kw):
        super().__init__(**kw)
        self.filters, self.kernel_size, self.demodulate, self.upsample = filters, kernel_size, demodulate, upsample
        # Bilinear, not nearest: StyleGAN2 resamples through a smooth filter, nearest leaves a block grid.
        self.up = layers.UpSampling2D(interpolation="bilinear") if upsample else None

    def build(self, shapes):
        x_shape, w_shape = shapes
        k, cin, w_dim = self.kernel_size, int(x_shape[-1]), int(w_shape[-1])
        self.kernel = self.add_weight(
            shape=(k, k, cin, self.filters), initializer=keras.initializers.RandomNormal(0.0, 1.0), name="kernel"
        )
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")
        self.affine = EqualDense(cin, bias_init=1.0, name="affine")
        self.affine.build((None, w_dim))
        self.scale = 1.0 / math.sqrt(k * k * cin)

    def call(self, inputs):
        x, w = inputs
        style = self.affine(w)  # (B, cin), around 1
        kernel = self.kernel * self.scale
        if not self.demodulate:  # toRGB: no demodulation, a smaller style
            style = style * self.scale * math.sqrt(self.kernel_size * self.kernel_size)
        x = x * style[:, None, None, :]
        if self.up is not None:
            x = self.up(x)
        y = ops.conv(x, kernel, padding="same")
        if self.demodulate:
            d = ops.rsqrt(ops.matmul(ops.square(style), ops.sum(ops.square(kernel), axis=(0, 1))) + 1e-8)
            y = y * d[:, None, None, :]
        return y + self.bias

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "demodulate": self.demodulate,
            "upsample": self.upsample,
        }


@keras.saving.register_keras_serializable(package="facepack")
class Noise(layers.Layer):
    """Per-pixel noise with a learned strength. Fresh noise in training; fixed noise at inference,
    so a face is a function of its latent code alone."""

    def __init__(self, seed: int = 0, **kw):
        super().__init__(**kw)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, shape):
        h, w = int(shape[1]), int(shape[2])
        self.strength = self.add_weight(shape=(), initializer="zeros", name="strength")
        self.fixed = self.add_weight(
            shape=(1, h, w, 1),
            initializer=keras.initializers.RandomNormal(0.0, 1.0, seed=self.seed),
            trainable=False,
            name="fixed",
        )

    def call(self, x, training=False):
        if training:
            b, h, w = ops.shape(x)[0], ops.shape(x)[1], ops.shape(x)[2]
            noise = keras.random.normal((b, h, w, 1), dtype=x.dtype, seed=self.seed_generator)
        else:
            noise = self.fixed
        return x + self.strength * noise

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="facepack")
class ConstInput(layers.Layer):
    """The learned 4x4 start of the synthesis network, repeated over the batch of w's it is given."""

    def __init__(self, channels: int, **kw):
        super().__init__(**kw)
        self.channels = channels

    def build(self, shape):
        self.const = self.add_weight(
            shape=(1, 4, 4, self.channels), initializer=keras.initializers.RandomNormal(0.0, 1.0), name="const"
        )

    def call(self, ws):
        return ops.repeat(self.const, ops.shape(ws)[0], axis=0)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels}


@keras.saving.register_keras_serializable(package="facepack")
class MinibatchStd(layers.Layer):
    """One more feature map: how much the batch varies, so the critic can call out a collapsed generator."""

    def call(self, x):
        std = ops.sqrt(ops.var(x, axis=0) + 1e-8)
        s = ops.mean(std)
        b, h, w = ops.shape(x)[0], ops.shape(x)[1], ops.shape(x)[2]
        return ops.concatenate([x, ops.ones((b, h, w, 1), dtype=x.dtype) * s], axis=-1)


@keras.saving.register_keras_serializable(package="facepack")
class PixelNorm(layers.Layer):
    def call(self, x):
        return x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + 1e-8)
