"""The adversarial step under KERAS_BACKEND=jax: jax.grad around loss.py, as train.py's
TensorFlow step puts a GradientTape around it.

Functional, as JAX wants it: every variable's value goes in, new values come out, and
the ordinary Keras calls in between (the models, style mixing, DiffAugment, the loss)
read and write them through a keras.StatelessScope. One jitted function per step kind (with
or without the lazy R1 term). With several devices, Keras's DataParallel distribution
replicates the variables and the batch is laid out across the devices; XLA does the rest.
"""

from __future__ import annotations

import numpy as np


class JaxSteps:
    def __init__(self, trainer):
        import jax

        self.jax, self.t = jax, trainer
        keras = trainer.keras
        self.g_vars = trainer.g_vars
        self.d_vars = trainer.d_vars
        # Everything the step may change besides trainable weights: noise seeds, the trainer's seed.
        self.state_vars = (
            trainer.mapping.non_trainable_variables
            + trainer.synthesis.non_trainable_variables
            + trainer.critic.non_trainable_variables
            + (trainer.face_critic.non_trainable_variables if trainer.face_critic is not None else [])
            + (trainer.encoder.non_trainable_variables if trainer.encoder is not None else [])
            + [trainer.seed.state]
        )
        # The EMA copy, every weight of it, and where in (g, state) the live weight it follows sits.
        self.ema_vars = [e for e, _ in trainer.ema_pairs]
        where = {id(v): ("g", i) for i, v in enumerate(self.g_vars)} | {id(v): ("s", i) for i, v in enumerate(self.state_vars)}
        self.ema_sources = [(where[id(v)], v.trainable) for _, v in trainer.ema_pairs]
        self.distribution = keras.distribution.distribution()
        self._step = jax.jit(self._pure_step, static_argnames=("r1", "generator"))

    # -- pure functions ------------------------------------------------------------
    def _scope(self, g, d, state):
        keras = self.t.keras
        mapping = list(zip(self.g_vars, g)) + list(zip(self.d_vars, d)) + list(zip(self.state_vars, state))
        return keras.StatelessScope(state_mapping=mapping)

    def _new_state(self, scope, state):
        current = [scope.get_current_value(v) for v in self.state_vars]
        return [s if c is None else c for c, s in zip(current, state)]

    def real_grad(self, reals, cond):
        """d(sum of the critic's scores)/d(reals), for R1 (inside a scope)."""
        return self.jax.grad(lambda x: self.t.loss.real_score(x, cond))(reals)

    def _critic_loss(self, d, g, state, reals, cond, r1: bool):
        t, jax = self.t, self.jax
        with self._scope(g, d, state) as scope:
            fakes = jax.lax.stop_gradient(t.generate_fakes(cond, training=True))
            loss, classes = t.loss.critic_terms(fakes, reals, cond)
            penalty = t.loss.r1(self.real_grad(reals, cond)) if r1 else 0.0 * loss
            new_state = self._new_state(scope, state)
        return t.loss.total(loss, penalty, classes), (loss, penalty, classes, new_state)

    def _generator_loss(self, g, d, state, reals, cond):
        with self._scope(g, d, state) as scope:
            total, loss, classes, l1, kl = self.t.generator_objective(reals, cond)
            new_state = self._new_state(scope, state)
        return total, (loss, classes, l1, kl, new_state)

    def _pure_step(self, g, d, state, g_opt, d_opt, ema, reals, cond, r1: bool, generator: bool = True):
        from facepack.generator.stylegan.loss import ema_value

        jax, t = self.jax, self.t
        (_, (d_loss, penalty, d_class, state)), grads = jax.value_and_grad(self._critic_loss, has_aux=True)(
            d, g, state, reals, cond, r1
        )
        d, d_opt = t.d_opt.stateless_apply(d_opt, grads, d)
        g_loss, g_class, l1, kl = 0.0, 0.0, 0.0, 0.0
        if generator:
            (_, (g_loss, g_class, l1, kl, state)), grads = jax.value_and_grad(self._generator_loss, has_aux=True)(
                g, d, state, reals, cond
            )
            g, g_opt = t.g_opt.stateless_apply(g_opt, grads, g)
            live = {"g": g, "s": state}
            ema = [ema_value(e, live[k][i], t.ema_beta, trainable) for e, ((k, i), trainable) in zip(ema, self.ema_sources)]
        return g, d, state, g_opt, d_opt, ema, t.losses(d_loss, penalty, d_class, g_loss, g_class, l1, kl)

    # -- the stateful wrapper ---------------------------------------------------------
    def _batch(self, x):
        if self.distribution is None:
            return x
        from keras.distribution import distribute_tensor

        return distribute_tensor(x, self.distribution.get_data_layout(x.shape))

    def _run(self, reals, cond, r1: bool, generator: bool) -> dict:
        t = self.t
        values = lambda vs: [v.value for v in vs]
        out = self._step(
            values(self.g_vars),
            values(self.d_vars),
            values(self.state_vars),
            values(t.g_opt.variables),
            values(t.d_opt.variables),
            values(self.ema_vars),
            self._batch(np.asarray(reals, np.float32)),
            # age and complexion indices, then traits where the networks take them
            tuple(self._batch(np.asarray(c, np.int32 if i < 2 else np.float32)) for i, c in enumerate(cond)),
            r1=r1,
            generator=generator,
        )
        for vs, new in zip(
            (self.g_vars, self.d_vars, self.state_vars, t.g_opt.variables, t.d_opt.variables, self.ema_vars), out[:6]
        ):
            for v, value in zip(vs, new):
                v.assign(value)
        return {k: float(v) for k, v in out[6].items()}

    def step(self, reals, cond, r1: bool) -> dict:
        return self._run(reals, cond, r1, generator=True)

    def critic_step(self, reals, cond) -> float:
        return self._run(reals, cond, False, generator=False)["d_loss"]
