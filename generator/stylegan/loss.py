"""The adversarial objective, written once for every backend (stylegan2-ada's loss.py).

Non-saturating logistic loss for critic and generator (with --face-critic, averaged over the
whole-portrait critic's logits and the face critic's), lazy R1 on real images, the AC-GAN class
head's term at --class-weight, and the generator's EMA copy. Everything here is
backend-neutral `keras.ops`; a backend's step (train.py's TensorFlow step, jax_step.py's JAX
step) only supplies its gradient mechanics: a tape or `jax.grad` around these functions.
"""

from __future__ import annotations

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
        return adversarial + penalty + self.t.s.class_weight * classes
