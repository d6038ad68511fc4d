"""Model cards: a JSON file beside each .keras model saying what it is, what it saw and how well it does."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

from facepack.core.atomic import write_text


def card_path(model: Path) -> Path:
    return Path(model).with_suffix(".json")


def read_card(model: Path) -> dict:
    path = card_path(model)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_card(model: Path, card: dict) -> None:
    write_text(card_path(model), json.dumps(card, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def update_metrics(model: Path, metrics: dict) -> dict:
    card = read_card(model)
    card.setdefault("metrics", {}).update(metrics)
    write_card(model, card)
    return card


def _accelerator(keras) -> str:
    """What trained it: the accelerators the backend used, else the CPU."""
    backend = keras.backend.backend()
    try:
        if backend == "jax":
            import jax

            gpus = [d for d in jax.devices() if d.platform != "cpu"]
            if gpus:
                return f"{len(gpus)} x {gpus[0].device_kind}"
        elif backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if gpus:
                return f"{len(gpus)} x GPU ({tf.config.experimental.get_device_details(gpus[0]).get('device_name', 'unknown')})"
    except Exception:  # a card is still worth writing when a device query fails
        pass
    return f"{platform.machine()} CPU x{os.cpu_count()}"


def training_card(
    kind: str, data: Path, info: dict, steps: int, wall_time_s: float, command: str, init: Path | None, **details
) -> dict:
    """The card every trained model gets: what it is (`details`), what it saw, how long, how to redo it."""
    import keras

    return {
        "kind": kind,
        **details,
        "data": {
            "path": str(data),
            "resolution": info.get("resolution"),
            "splits": info.get("splits"),
            "painter": info.get("painter"),
            "facepacks": info.get("facepacks"),
            "command": info.get("command"),
        },
        "steps": steps,
        "wall_time_s": round(wall_time_s, 1),
        "device": f"{_accelerator(keras)}, keras backend {keras.backend.backend()}",
        "command": command,
        "init": str(init) if init else None,
        "metrics": {},
    }
