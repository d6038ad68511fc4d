"""A `model.fit` run in a folder that the same command resumes (the segmenter's and the upsampler's).

Each epoch ends with the model and its optimizer saved (written whole, then moved into place)
and state.json saying how far the run got, how long it took and under which settings; run
again, the same command goes on from there, and other settings are refused rather than mixed
into one model. The finished model is exported the same way (whole, then moved into place),
with the model card every trained model gets.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Callable

from facepack.core.errors import FacepackError
from facepack.core.modelcard import training_card, write_card

CHECKPOINT = "checkpoint.keras"


class FitRun:
    def __init__(
        self,
        out: Path,
        settings: dict,
        epochs: int,
        key: str = "settings",
        added: dict | None = None,
        init: Path | None = None,
    ):
        # `key`: the name the settings go by in state.json (the segmenter's runs say "config").
        # `added`: settings newer than some runs, with the value those runs trained under.
        # `init`: the weights a new run started from (--init); kept in state.json, so that the card
        # of a run resumed without --init still says where it began.
        self.out, self.settings, self.epochs, self.key = out, settings, epochs, key
        self.added = added or {}
        self.init = str(init) if init is not None else None
        self.state_path, self.checkpoint = out / "state.json", out / CHECKPOINT
        self.done, self.wall = 0, 0.0

    def resume(self, keras, log: Callable[[str], None]):
        """The checkpointed model, compiled with its optimizer's state, where the run has one; else None."""
        if not (self.checkpoint.exists() and self.state_path.exists()):
            return None
        state = json.loads(self.state_path.read_text())
        if {**self.added, **state[self.key]} != self.settings:
            raise FacepackError(f"{self.out} holds a run with other settings ({state[self.key]}); use another --out")
        self.done, self.wall = state["epoch"], state["wall_time_s"]
        self.init = state.get("init", self.init)
        log(f"resuming {self.out} at epoch {self.done}/{self.epochs}")
        return keras.saving.load_model(self.checkpoint)

    def export(
        self,
        model,
        path: Path,
        kind: str,
        data: Path,
        info: dict,
        command: str,
        init: Path | str | None,
        steps_per_epoch: int,
        **details,
    ) -> Path:
        """`model` (the trained weights in a network without optimizer state) saved to `path`, with
        its card: what it is (`details`), the data, how many steps and how long, the command."""
        tmp = path.with_name(f".{path.name}.partial.keras")
        model.save(tmp)
        os.replace(tmp, path)
        state = json.loads(self.state_path.read_text())
        steps = state["epoch"] * steps_per_epoch
        init = init if init is not None else state.get("init")
        write_card(path, training_card(kind, data, info, steps, state["wall_time_s"], command, init, **details))
        return path

    def callback(self, keras, log: Callable[[str], None], line: Callable[[int, dict], str]):
        """The per-epoch checkpoint; `line(epoch, logs)` is what the log line says between the
        epoch count and the wall time."""
        run = self

        class Checkpoint(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.t0 = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                run.wall += time.perf_counter() - self.t0
                tmp = run.out / f".{CHECKPOINT}.partial.keras"
                self.model.save(tmp)
                os.replace(tmp, run.checkpoint)
                state = {"epoch": epoch + 1, "wall_time_s": run.wall, run.key: run.settings}
                run.state_path.write_text(json.dumps(state | ({"init": run.init} if run.init else {})))
                log(f"epoch {epoch + 1}/{run.epochs}  {line(epoch + 1, logs)}  {run.wall:.0f}s")

        return Checkpoint()
