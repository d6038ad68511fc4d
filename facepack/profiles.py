"""Game profiles (templates/profiles/*.json): how a game names, sizes and maps its portraits."""
from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

import templates
from facepack.errors import FacepackError


@dataclass(frozen=True)
class GameProfile:
    name: str
    title: str
    file_name: str  # a format string over first, last, dd, mm, yyyy, uid
    extension: str
    requires_id: bool
    size: tuple[int, int]  # width, height of a finished portrait
    background: str  # the default --background: "ui", "transparent" or "#RRGGBB"
    ui_colour: tuple[int, int, int]
    config_target: str
    install_hint: str


def profile_names() -> list[str]:
    folder = files("templates.profiles")
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def load_profile(name: str) -> GameProfile:
    if name not in profile_names():
        raise FacepackError(f"unknown game profile {name!r} (choose from: {', '.join(profile_names())})")
    raw = templates.read_json(f"profiles/{name}.json")
    return GameProfile(
        name=raw["name"],
        title=raw["title"],
        file_name=raw["file_name"],
        extension=raw["extension"],
        requires_id=bool(raw["requires_id"]),
        size=(int(raw["size"][0]), int(raw["size"][1])),
        background=raw["background"],
        ui_colour=tuple(int(v) for v in raw["ui_colour"]),  # type: ignore[arg-type]
        config_target=raw["config_target"],
        install_hint=raw["install_hint"],
    )
