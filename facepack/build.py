"""Building a pack: roster -> players -> faces -> cut-outs -> portraits -> pack files.

Planning (what to build, keep or skip) is decided up front from the roster and
the file system, then faces are made in batches and each portrait is written the
moment it is ready, so memory stays flat and a killed run loses at most a batch.
config.xml, manifest.csv and preview.png are written last, each atomically.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterator, Sequence

from facepack import atomic
from facepack.compose import compose_portrait, parse_background
from facepack.config_xml import parse as parse_config
from facepack.config_xml import render as render_config
from facepack.errors import FacepackError
from facepack.existing import ExistingFaces, scan_existing, stem_key
from facepack.manifest import ManifestRow, write_manifest
from facepack.naming import clean_part, file_name, inside, safe_stem
from facepack.players import Player, age_at, face_request
from facepack.preview import write_preview
from facepack.profiles import GameProfile, load_profile
from facepack.roster import Roster, read_roster
from generator.base import age_group

PREVIEW_MAX = 100


@dataclass(frozen=True)
class BuildOptions:
    roster: Path
    out: Path
    season: date
    name: str | None = None
    game: str = "ehm"
    generator: str = "painter"
    segmenter: str = "chroma"
    background: str | None = None  # None: the profile's default
    seed: int = 0
    overwrite: bool = False
    existing: tuple[Path, ...] = ()
    include_staff: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    batch_size: int = 16
    generator_size: int = 256


@dataclass(frozen=True)
class Planned:
    player: Player
    file: str
    seed: int
    status: str  # "build", "kept" or "skipped"
    reason: str = ""


@dataclass
class BuildReport:
    pack: Path
    roster: Roster
    rows: list[ManifestRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def skipped(self) -> list[ManifestRow]:
        return [r for r in self.rows if r.status == "skipped"]


def pack_folder(out: Path, name: str) -> Path:
    clean = safe_stem(clean_part(name))
    if clean != name.strip() or clean.startswith("."):
        raise FacepackError(f"--name {name!r}: use a plain folder name (no slashes, dots at the ends or special characters)")
    if out.exists() and not out.is_dir():
        raise FacepackError(f"--out {out}: exists and is not a folder")
    return inside(out.resolve(), clean)


def plan(roster: Roster, profile: GameProfile, pack: Path, existing: ExistingFaces, opts: BuildOptions) -> list[Planned]:
    planned: list[Planned] = []
    taken: dict[str, Player] = {}
    for p in roster.players:
        seed = face_request(p, opts.season, opts.seed).seed
        try:
            name = file_name(p, profile)
        except FacepackError as e:
            planned.append(Planned(p, "", seed, "skipped", str(e)))
            continue
        key = stem_key(name)  # Windows folders ignore case: two such names are one file there
        if key in taken:
            first = taken[key]
            planned.append(Planned(p, name, seed, "skipped", f"same file as line {first.line} ({first.name})"))
            continue
        taken[key] = p
        stem = name[: -len(profile.extension)]
        elsewhere = existing.find(stem, p.uid)
        if elsewhere is not None:
            planned.append(Planned(p, name, seed, "kept", f"already in {elsewhere}"))
        elif inside(pack, name).exists() and not opts.overwrite:
            planned.append(Planned(p, name, seed, "kept", "already in the pack (--overwrite replaces it)"))
        else:
            planned.append(Planned(p, name, seed, "build"))
    return planned


def _batches(items: Sequence[Planned], size: int) -> Iterator[Sequence[Planned]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def build_pack(opts: BuildOptions, on_start: Callable[[int], None] | None = None,
               on_face: Callable[[Planned], None] | None = None) -> BuildReport:
    """Build or complete the pack. `on_start(total)` and `on_face(item)` report progress."""
    profile = load_profile(opts.game)
    background = parse_background(opts.background or profile.background, profile)
    if opts.batch_size < 1:
        raise FacepackError("--batch-size must be at least 1")
    roster = read_roster(opts.roster, season=opts.season, include_staff=opts.include_staff, columns=opts.columns)
    if not roster.players:
        first = roster.skipped[0]
        raise FacepackError(
            f"{opts.roster}: no player could be read ({len(roster.skipped)} rows skipped; line {first.line}: {first.reason})"
        )
    pack = pack_folder(opts.out, opts.name or opts.roster.stem)
    existing = scan_existing(list(opts.existing))

    config_path = inside(pack, "config.xml")
    old_config = None
    if config_path.exists() and not opts.overwrite:
        old_config = config_path.read_bytes()
        parse_config(old_config, str(config_path))  # refuse early, before any work, if it is broken

    pack.mkdir(parents=True, exist_ok=True)
    atomic.remove_stale_temporaries(pack)
    items = plan(roster, profile, pack, existing, opts)
    todo = [it for it in items if it.status == "build"]
    if on_start:
        on_start(len(todo))

    if todo:
        from generator import load_generator
        from segmenter import load_segmenter

        try:
            gen = load_generator(opts.generator, size=opts.generator_size)
            seg = load_segmenter(opts.segmenter, background=gen.background)
        except ValueError as e:
            raise FacepackError(str(e)) from None
        for batch in _batches(todo, opts.batch_size):
            portraits = gen.generate([face_request(it.player, opts.season, opts.seed) for it in batch])
            mattes = seg.matte([p.image for p in portraits])
            for it, portrait, matte in zip(batch, portraits, mattes):
                pixels = compose_portrait(portrait.image, matte, portrait.background, profile, background)
                atomic.write_png(inside(pack, it.file), pixels)
                if on_face:
                    on_face(it)

    rows = [_manifest_row(it, opts.season) for it in items] + [
        ManifestRow(s.line, s.name, s.birth_date, s.uid, "", "", "", "skipped", s.reason) for s in roster.skipped
    ]
    in_pack = [it for it in items if it.status == "build" or (it.status == "kept" and inside(pack, it.file).exists())]
    maps = [
        (it.file[: -len(profile.extension)], profile.config_target.format(uid=it.player.uid))
        for it in in_pack
        if it.player.uid
    ]
    atomic.write_bytes(config_path, render_config(old_config, maps, str(config_path)))
    write_manifest(inside(pack, "manifest.csv"), rows)
    faces = [(inside(pack, it.file), f"{it.player.name}\n{it.player.birth_date:%d.%m.%Y}") for it in in_pack]
    write_preview(inside(pack, "preview.png"), faces[:PREVIEW_MAX], profile.size, profile.ui_colour)
    return BuildReport(pack, roster, rows)


def _manifest_row(it: Planned, season: date) -> ManifestRow:
    p = it.player
    return ManifestRow(
        line=p.line,
        name=p.name,
        birth_date=p.birth_date.isoformat(),
        id=p.uid or "",
        file=it.file,
        seed=f"{it.seed:016x}",
        age_group=age_group(age_at(p.birth_date, season)),
        status="built" if it.status == "build" else it.status,
        reason=it.reason,
    )
