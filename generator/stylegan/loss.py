"""The adversarial objective, written once for every backend (stylegan2-ada's loss.py).

Non-saturating logistic loss for critic and generator (with --face-critic, averaged over the
whole-portrait critic's logits and the face critic's), lazy R1 on real images, the AC-GAN class
head's term at --class-weight, the VAE-GAN reconstruction term at --reconstruction, and the
generator's EMA copy. Everything here is
backend-neutral `keras.ops`; a backend's step (train.py's TensorFlow step, jax_step.py's JAX
step) only supplies its gradient mechanics: a tape or `jax.grad` around these functions.
"""

from __future__ import annotations

import keras
from keras import ops

from facepack.generator.stylegan.diffaugment import diff_augment
from facepack.generator.stylegan.model import face_crop


def critic_adversarial(fake_logits, real_logits):
    """softplus(D(fake)) + softplus(-D(real)): the critic's logistic loss."""
    return ops.mean(ops.softplus(fake_logits)) + ops.mean(ops.softplus(-real_logits))


def generator_adversarial(fake_logits):
    """softplus(-D(fake)): the non-saturating generator loss."""
    return ops.mean(ops.softplus(-fake_logits))


def r1_penalty(real_grad, gamma: float, every: int):
    """gamma/2 * |grad D(real)|^2, scaled by how rarely it is taken (lazy regularisation)."""
    return ops.mean(ops.sum(ops.square(real_grad), axis=(1, 2, 3))) * (gamma / 2) * every


def kl_to_prior(mean, log_var):
    """KL(N(mean, exp(log_var)) || N(0, I)), summed over the latent's dimensions, averaged over the batch."""
    return ops.mean(ops.sum(0.5 * (ops.exp(log_var) + ops.square(mean) - 1.0 - log_var), axis=1))


def ema_value(ema, live, beta: float, trainable: bool):
    """The EMA copy's next value: trainable weights move toward the live ones; the rest (fixed
    noise, seed states) are the live ones, as they are."""
    return beta * ema + (1.0 - beta) * live if trainable else live


class StyleGanLoss:
    """The step's losses, given the trainer's networks (and its seed, settings and class head)."""

    def __init__(self, trainer):
        self.t = trainer

    def critic_terms(self, fakes, reals, cond):
        """(adversarial loss, class-head loss) of the critic on a batch of fakes and reals, under one condition tuple."""
        t = self.t
        fake_logits, _ = t.judged(diff_augment(fakes, t.seed, t.s.augment), *cond)
        real_logits, classes = t.judged(diff_augment(reals, t.seed, t.s.augment), *cond)
        return critic_adversarial(fake_logits, real_logits), classes

    def real_score(self, reals, cond):
        """What R1 differentiates: the sum of the critics' scores of un-augmented reals."""
        t = self.t
        score = ops.sum(ops.cast(t.critic([reals, *cond], training=True), "float32"))
        if t.face_critic is not None:
            score = score + ops.sum(ops.cast(t.face_critic([face_crop(reals), *cond], training=True), "float32"))
        return score

    def r1(self, real_grad):
        s = self.t.s
        return r1_penalty(real_grad, s.r1_gamma, s.r1_every)

    def generator_terms(self, fakes, cond):
        """(adversarial loss, class-head loss) of the generator on its own fakes."""
        t = self.t
        logits, classes = t.judged(diff_augment(fakes, t.seed, t.s.augment), *cond)
        return generator_adversarial(logits), classes

    def total(self, adversarial, penalty, classes):
        """`classes`: the auxiliary heads' loss, already weighted (GanTrainer.judged)."""
        return adversarial + penalty + classes

    def reconstruction_terms(self, reals, cond):
        """(L1, KL): how far the generator's redrawing of each real portrait is from it, drawn
        from a latent sampled from the encoder's reading of it (reparameterised), and how far
        those readings are from the prior that build samples from.

        Tried because the adversarial signal alone takes hundreds of thousands of images to put
        open eyes in a face (every CPU run's sheet: slits), and a pixel loss says where things
        are at once; on the CPU it did not open them (see below). The KL keeps the encoded
        latents where build's N(0, I) draws are, so what the synthesis learns from redrawing
        reals it shows on sampled faces too."""
        t = self.t
        z_dim = t.cfg.z_dim
        moments = ops.cast(t.encoder(reals, training=True), "float32")
        mean, log_var = moments[:, :z_dim], ops.clip(moments[:, z_dim:], -10.0, 4.0)
        z = mean + ops.exp(0.5 * log_var) * keras.random.normal(ops.shape(mean), seed=t.seed)
        w = t.mapping([z, *cond], training=True)
        redrawn = t.synthesis(ops.repeat(w[:, None, :], t.cfg.num_ws, axis=1), training=True)
        gap = ops.abs(ops.cast(redrawn, "float32") - reals)
        # The face square counted once more (each of its pixels five times another's): it is a
        # quarter of the portrait, hair, jersey and background the rest, and it is where every
        # sheet goes wrong. With or without it the redrawn faces stayed featureless blobs on the
        # CPU (README, Reconstruction): L1's best answer to a face the latent does not pin down
        # is the average of faces with their eyes at different heights, which has none.
        return ops.mean(gap) + ops.mean(face_crop(gap)), kl_to_prior(mean, log_var)

    def generator_total(self, adversarial, classes, l1, kl):
        s = self.t.s
        return self.total(adversarial, 0.0, classes) + s.reconstruction * l1 + s.kl_weight * kl
