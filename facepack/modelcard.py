"""Model cards: a JSON file beside each .keras model saying what it is, what it saw and how well it does."""
from __future__ import annotations

import json
from pathlib import Path

from facepack.atomic import write_text


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
