"""Game profiles (templates/profiles/*.json): how a game names, places, sizes and maps its portraits."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import files

from facepack import templates
from facepack.core.errors import FacepackError

MAPPINGS = ("newgen", "plain")


@dataclass(frozen=True)
class GameProfile:
    name: str
    title: str
    file_name: str  # a format string over first, last, d, m, dd, mm, yyyy, uid
    extension: str
    requires_id: bool
    requires_birth_date: bool
    size: tuple[int, int]  # width, height of a finished portrait
    max_size: tuple[int, int]  # the largest picture the game shows
    background: str  # the default --background: "ui", "transparent" or "#RRGGBB"
    ui_colour: tuple[int, int, int]
    # Folders inside the pack, mirroring where the game reads pictures ("" = the pack itself).
    players_folder: str
    staff_folder: str
    config_xml: bool  # whether the game reads a config.xml beside the pictures
    install_hint: str
    padded_file_name: str | None = None  # the zero-padded form, for whoever needs it (--padded-dates)
    config_targets: dict[str, str] = field(default_factory=dict)  # mapping form -> target format over uid
    config_default: str | None = None
    app_id: int | None = None  # the Steam app the game's Workshop items belong to

    def folder_for(self, staff: bool) -> str:
        return self.staff_folder if staff else self.players_folder

    @property
    def portrait_folders(self) -> list[str]:
        """The pack's folders that hold portraits, each once; empty where the pack itself does (FM)."""
        return [f for f in dict.fromkeys((self.players_folder, self.staff_folder)) if f]

    def config_target(self, mapping: str | None = None) -> str:
        form = mapping or self.config_default
        if form not in self.config_targets:
            raise FacepackError(f"--mapping {form!r}: {self.title} knows {', '.join(self.config_targets) or 'no mappings'}")
        return self.config_targets[form]


def profile_names() -> list[str]:
    folder = files("facepack.templates.profiles")
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def load_profile(name: str) -> GameProfile:
    if name not in profile_names():
        raise FacepackError(f"unknown game profile {name!r} (choose from: {', '.join(profile_names())})")
    raw = templates.read_json(f"profiles/{name}.json")
    return GameProfile(
        name=raw["name"],
        title=raw["title"],
        file_name=raw["file_name"],
        padded_file_name=raw.get("padded_file_name"),
        extension=raw["extension"],
        requires_id=bool(raw["requires_id"]),
        requires_birth_date=bool(raw["requires_birth_date"]),
        size=(int(raw["size"][0]), int(raw["size"][1])),
        max_size=(int(raw["max_size"][0]), int(raw["max_size"][1])),
        background=raw["background"],
        ui_colour=tuple(int(v) for v in raw["ui_colour"]),  # type: ignore[arg-type]
        players_folder=raw["players_folder"],
        staff_folder=raw["staff_folder"],
        config_xml=bool(raw["config_xml"]),
        config_targets=dict(raw.get("config_targets") or {}),
        config_default=raw.get("config_default"),
        app_id=raw.get("app_id"),
        install_hint=raw["install_hint"],
    )
