"""Building a pack: roster -> players -> faces -> cut-outs -> portraits -> pack files.

The roster is read row by row, twice: a first pass plans (what to build, keep, rename
or skip, decided from the roster and the file system as they are before this run) and
counts, a second plans the same again while faces are made in batches, each portrait
written the moment it is ready and each manifest row as soon as its fate is known. Nothing
is held per player but what the likeness check and config.xml need, so memory stays flat
from a league to a whole-database export, and a killed run loses at most a batch.
config.xml (where the game reads one), manifest.csv and preview.png each appear
atomically at the end.

The pack mirrors where the game reads pictures: for EHM a `players/` folder and, with
staff, a `nonplayers/` folder (copied into the game's `data/pictures/`); for FM the
pack folder itself with its config.xml.
"""

from __future__ import annotations

import json
import math
import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np
from PIL import Image

from facepack.compose import compose_portrait, parse_background
from facepack.config_xml import parse as parse_config
from facepack.config_xml import render as render_config
from facepack.core import atomic
from facepack.core.errors import FacepackError
from facepack.core.likeness import SAME_PERSON, FaceIndex, face_code
from facepack.core.linetable import LineTable, digest
from facepack.existing import ExistingFaces, own_portraits, scan_existing
from facepack.generator import DEFAULT_GENERATOR, DEFAULT_PSI
from facepack.generator.base import FaceGenerator, FaceRequest, age_group
from facepack.manifest import ManifestRow, read_rows, writing_manifest
from facepack.naming import (
    clean_part,
    file_name,
    inside,
    inside_pack,
    person_key,
    safe_stem,
)
from facepack.players import Player, face_request
from facepack.preview import write_preview
from facepack.profiles import GameProfile, load_profile
from facepack.roster import RosterSource, SkippedRow, game_for, open_roster
from facepack.segmenter.base import Segmenter

PREVIEW_MAX = 100
SKIPPED_KEPT = 20  # skipped rows the report keeps to show; the manifest has them all
CHUNK = 256  # at most this many rows wait with one batch, however few of them are faces to make
MAX_REDRAWS = 4  # a face still like another after this many re-draws keeps the least alike draw
AHEAD = 2  # batches made in worker threads ahead of the one being written
PACK_INFO = "pack.json"  # how the pack was made, for the Workshop description; not a game file


@dataclass(frozen=True)
class BuildOptions:
    roster: Path
    out: Path
    season: date
    name: str | None = None
    game: str | None = None  # None: fm for an FM print-screen export, else ehm
    generator: str = DEFAULT_GENERATOR
    model: Path | None = None  # a learned generator's .keras file; None: the shipped one
    psi: float = DEFAULT_PSI  # truncation of the learned generator
    upsampler_model: Path | None = None  # the learned generator's second stage (.keras); None: the shipped one
    segmenter: str = "learned"
    segmenter_model: Path | None = None
    background: str | None = None  # None: the profile's default
    seed: int = 0
    overwrite: bool = False
    existing: tuple[Path, ...] = ()
    include_staff: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    batch_size: int = 16
    generator_size: int = 256
    padded_dates: bool = False  # EHM names with zero-padded day and month (03_01_2006), for whoever needs them
    mapping: str | None = None  # config.xml form for FM: newgen (r-UID) or plain (UID); None: the profile's


@dataclass(frozen=True)
class Planned:
    player: Player
    file: str  # the portrait's path inside the pack, '/'-separated ("players/Oskar_Björk_3_1_2006.png")
    request: FaceRequest  # the face this player gets: seed, age, nationality
    status: str  # "build", "kept" or "skipped"
    reason: str = ""
    renamed_from: str = ""  # this player's portrait already in the pack under an earlier name, moved to `file`


@dataclass
class BuildReport:
    pack: Path
    profile: GameProfile
    counts: dict[str, int]  # rows by status: built, kept, skipped
    skipped: list[ManifestRow]  # the first SKIPPED_KEPT skipped rows
    renamed: list[ManifestRow]  # the first of the portraits moved from an earlier version's names
    renamed_count: int = 0
    device: str | None = None  # where the networks ran, when faces were made

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def rows(self) -> list[ManifestRow]:
        """Every row, read back from the pack's manifest.csv (the build itself never holds them)."""
        return read_rows(inside(self.pack, "manifest.csv"))


def check_psi(psi: float) -> None:
    if not (math.isfinite(psi) and 0.0 <= psi <= 2.0):
        raise FacepackError(f"--psi {psi}: use a number from 0 (most typical) to 2 (most varied); {DEFAULT_PSI} is the default")


def pack_folder(out: Path, name: str, chosen: bool = True) -> Path:
    """out/name. A name the user chose (--name) must be a plain folder name; the roster file's own
    name, which the user never chose (a macOS NFD name, `?`, a leading dot), is cleaned instead."""
    clean = safe_stem(clean_part(name))
    if chosen and (clean != name.strip() or clean.startswith(".")):
        raise FacepackError(f"--name {name!r}: use a plain folder name (no slashes, dots at the ends or special characters)")
    if out.exists() and not out.is_dir():
        raise FacepackError(f"--out {out}: exists and is not a folder")
    return inside(out.resolve(), clean)


def own_folders(pack: Path, profile: GameProfile) -> list[Path]:
    """Where this pack's portraits may already be: the profile's folders, then the pack itself (the
    layout of earlier versions, which kept every portrait at the top)."""
    folders = [inside_pack(pack, f) for f in profile.portrait_folders]
    return folders + [pack]


def plan(
    entries: Iterable[Player | SkippedRow],
    profile: GameProfile,
    pack: Path,
    existing: ExistingFaces,
    own: dict[str, Path],
    opts: BuildOptions,
    moved: frozenset[str] = frozenset(),
) -> Iterator[Planned | SkippedRow]:
    """What becomes of each roster row, in line order (a row the roster could not read passes
    through): a pure function of the roster, the options and the pack as it was before this run
    (`existing` installed packs, `own` portraits already in the pack by person key, and `moved` the
    files this run has since moved to their new names, seen as not there yet), so that planning
    twice plans the same."""
    # Held for every player of the roster, so kept small (a whole-database export runs to hundreds
    # of thousands): digests of the person key and of the ID with the line, in two tables of
    # 20-byte entries kept at most half full, about 105 bytes a player at 100,000 (dicts of the
    # digests and ID strings took about 200; of the key, name and ID, about 340).
    taken = LineTable()  # digest of a person key -> line of its first player
    by_uid = LineTable()  # digest of an ID -> line of its first player
    for p in entries:
        if isinstance(p, SkippedRow):
            yield p
            continue
        request = face_request(p, opts.season, opts.seed)
        try:
            name = file_name(p, profile, padded=opts.padded_dates)
        except FacepackError as e:
            yield Planned(p, "", request, "skipped", str(e))
            continue
        folder = profile.folder_for(p.staff)
        rel = f"{folder}/{name}" if folder else name
        # One person, one face: the game matches by name and birth date (or ID), whatever the case.
        key = person_key(name[: -len(profile.extension)])
        key_digest, uid_digest = digest(key), digest(p.uid, b"uid") if p.uid else None
        first = taken.get(key_digest)
        uid_first = by_uid.get(uid_digest) if uid_digest else None
        if first is not None or uid_first is not None:
            # Two people with one ID: the ID seeds the face, so both would get one face, whichever came first.
            same = "ID" if uid_first is not None and (first is None or uid_first == first) else "file"
            yield Planned(p, rel, request, "skipped", f"same {same} as line {first or uid_first}")
            continue
        taken.setdefault(key_digest, p.line)
        if uid_digest:
            by_uid.setdefault(uid_digest, p.line)
        elsewhere = existing.find(key, p.uid)
        earlier = own.get(key)
        if elsewhere is not None:
            yield Planned(p, rel, request, "kept", f"already in {elsewhere}")
        elif rel not in moved and os.path.lexists(inside_pack(pack, rel)):  # a dangling link there is the user's too
            status = "build" if opts.overwrite else "kept"
            yield Planned(p, rel, request, status, "" if opts.overwrite else "already in the pack (--overwrite replaces it)")
        elif earlier is not None:
            # An earlier version's name for the same person (03_01_2006, or the pack's top level):
            # the face is kept and moved to the game's name, never made a second time.
            old = earlier.relative_to(pack).as_posix()
            yield Planned(p, rel, request, "build" if opts.overwrite else "kept", f"renamed from {old}", old)
        else:
            yield Planned(p, rel, request, "build")


@dataclass
class Survey:
    """The first pass over the plan: what the second will do, and what must be ready for it."""

    todo: int = 0  # faces to make
    folders: set[Path] = field(default_factory=set)  # folders that will receive a portrait
    moves: list[tuple[str, str]] = field(default_factory=list)  # (earlier name, game's name)
    kept: list[str] = field(default_factory=list)  # portraits kept in the pack, for the likeness check


def survey(items: Iterable[Planned | SkippedRow], pack: Path) -> Survey:
    out = Survey()
    for it in items:
        if isinstance(it, SkippedRow):
            continue
        if it.status == "build" or it.renamed_from:
            out.folders.add(inside_pack(pack, it.file).parent)
        if it.renamed_from:
            out.moves.append((it.renamed_from, it.file))
        if it.status == "build":
            out.todo += 1
        elif it.status == "kept":
            out.kept.append(it.file)
    return out


def batches(items: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass(frozen=True)
class Models:
    """What renders faces: a generator and a segmenter (tests pass stand-ins), and where they run."""

    generator: FaceGenerator
    segmenter: Segmenter
    device: str = "CPU"


@dataclass(frozen=True)
class Rendered:
    item: Planned
    pixels: np.ndarray  # the finished portrait, at the game's size
    redraw: tuple[int, str] | None = None  # (variant kept, reason) when the first face was too like another


def network_batch(device: str) -> int:
    """The one batch shape the networks run at: 8 fills a CPU's cores (each network does about half
    of the machine's matmul peak there, benchmarks/bench_speed.py); a GPU needs far more faces a
    call to be busy. A face must not depend on its batch-mates, so the shape never varies within a
    device; between devices floating point differs anyway."""
    return 64 if device.startswith("GPU") else 8


def load_models(opts: BuildOptions) -> Models:
    """The generator and segmenter the options name, loaded (TensorFlow only when a learned one is asked for)."""
    from facepack.generator import load_generator
    from facepack.segmenter import load_segmenter

    device = "CPU"
    try:
        if "learned" in (opts.generator, opts.segmenter):
            from facepack.core.quiet import compute_device, import_keras

            device = compute_device(import_keras())
        batch = network_batch(device)
        gen = load_generator(
            opts.generator,
            size=opts.generator_size,
            model=opts.model,
            psi=opts.psi,
            batch_size=batch,
            upsampler=opts.upsampler_model,
        )
        seg = load_segmenter(opts.segmenter, background=gen.background, model=opts.segmenter_model, batch_size=batch)
    except (ValueError, FileNotFoundError) as e:
        raise FacepackError(str(e)) from None
    return Models(gen, seg, device)


def build_pack(
    opts: BuildOptions,
    on_start: Callable[[int], None] | None = None,
    on_face: Callable[[Planned], None] | None = None,
    models: Models | None = None,
) -> BuildReport:
    """Build or complete the pack: plan, render, write. `on_start(total)` and `on_face(item)` report
    progress; `models` replaces the ones the options name (loaded only when a face is to be made)."""
    profile = load_profile(game_for(opts.roster, opts.game))
    background = parse_background(opts.background or profile.background, profile)
    if opts.batch_size < 1:
        raise FacepackError("--batch-size must be at least 1")
    check_psi(opts.psi)
    config_target = profile.config_target(opts.mapping) if profile.config_xml else ""
    roster = open_roster(
        opts.roster,
        season=opts.season,
        include_staff=opts.include_staff,
        columns=opts.columns,
        need_birth_date=profile.requires_birth_date,
    )
    if profile.requires_id and "id" not in roster.columns:
        raise FacepackError(
            f"{opts.roster}: {profile.title} names portraits by unique ID, and this roster has no ID column "
            f"(name it with --columns id=...)"
        )
    check_readable(roster)
    pack = pack_folder(opts.out, opts.name) if opts.name is not None else pack_folder(opts.out, opts.roster.stem, chosen=False)
    existing = scan_existing(list(opts.existing))
    # One run at a time per pack: a second one stops in one line instead of taking the first's
    # temporaries for stale ones. The lock sits beside the pack, so the pack holds only its files.
    with atomic.exclusive(pack.parent / f".{pack.name}.facepack-lock", f"the pack {pack}"):
        old_config = existing_config(inside(pack, "config.xml"), profile, opts.overwrite)

        pack.mkdir(parents=True, exist_ok=True)
        folders = own_folders(pack, profile)
        own = own_portraits(folders)
        todo = survey(plan(roster.entries(), profile, pack, existing, own, opts), pack)
        prepare(pack, folders, todo)
        if on_start:
            on_start(todo.todo)
        models = models or (load_models(opts) if todo.todo else None)
        # The kept portraits' likeness codes, read as render fills its index: a resumed 100,000-player
        # build would otherwise hold a second copy of every kept face's code for the whole run.
        kept = (inside_pack(pack, f) for f in (todo.kept if todo.todo else ()))
        known = (c for c in (_code_of_file(f, profile) for f in kept if f.exists()) if c is not None)
        moved = frozenset(new for _, new in todo.moves)
        items = plan(roster.entries(), profile, pack, existing, own, opts, moved)
        report = BuildReport(pack, profile, {}, [], [], device=models.device if models and todo.todo else None)
        maps: list[tuple[str, str]] = []  # config.xml's mappings: all the game needs of each portrait
        preview: list[tuple[Path, str]] = []
        in_pack = 0
        with writing_manifest(inside(pack, "manifest.csv")) as write_row:
            for done in render(items, models, profile, background, known, opts):
                it = done.item if isinstance(done, Rendered) else done
                if isinstance(done, Rendered):
                    atomic.write_png(inside_pack(pack, it.file), done.pixels)
                    if on_face:
                        on_face(it)
                row = _manifest_row(it, done.redraw if isinstance(done, Rendered) else None)
                write_row(row)
                _tally(report, row, it)
                if _in_pack(it, pack):
                    in_pack += 1
                    if it.player.uid and profile.config_xml:
                        maps.append((_stem(it.file, profile), config_target.format(uid=it.player.uid)))
                    if len(preview) < PREVIEW_MAX:
                        preview.append((inside_pack(pack, it.file), _caption(it)))
            write_pack_files(pack, profile, opts, in_pack, maps, preview, old_config)
    return report


def _in_pack(it: Planned | SkippedRow, pack: Path) -> bool:
    """Built now, or kept with its portrait in this pack (not only in another installed one)."""
    if not isinstance(it, Planned):
        return False
    return it.status == "build" or (it.status == "kept" and inside_pack(pack, it.file).exists())


def check_readable(roster: RosterSource) -> None:
    """A roster with no player in it stops before any work, saying why (a pass that holds nothing)."""
    players = skipped = 0
    first: SkippedRow | None = None
    for entry in roster.entries():
        if isinstance(entry, SkippedRow):
            skipped += 1
            first = first or entry
        else:
            players += 1
            break  # one player is enough to build
    if players:
        return
    if not skipped:
        raise FacepackError(f"{roster.source}: no player rows (only a header?)")
    raise FacepackError(f"{roster.source}: no player could be read ({skipped} rows skipped; line {first.line}: {first.reason})")


def _tally(report: BuildReport, row: ManifestRow, it: Planned | SkippedRow) -> None:
    report.counts[row.status] = report.counts.get(row.status, 0) + 1
    if row.status == "skipped" and len(report.skipped) < SKIPPED_KEPT:
        report.skipped.append(row)
    if isinstance(it, Planned) and it.renamed_from:
        report.renamed_count += 1
        if not report.renamed:
            report.renamed.append(row)


def existing_config(path: Path, profile: GameProfile, overwrite: bool) -> bytes | None:
    """The pack's config.xml to merge into: every mapping that is not ours is kept (Preserve), with
    --overwrite too, which only remakes ours. A broken one stops the build before any work, unless
    --overwrite, which then writes a new one."""
    if not profile.config_xml or not path.exists():
        return None
    data = path.read_bytes()
    try:
        parse_config(data, str(path))
    except FacepackError:
        if overwrite:
            return None
        raise
    return data


def prepare(pack: Path, folders: list[Path], todo: Survey) -> None:
    """The pack's folders made, stale temporaries of killed runs gone (we hold the lock: no live run
    owns one), and an earlier version's portraits moved to the names planned for them."""
    for folder in todo.folders:
        folder.mkdir(exist_ok=True)
    for folder in folders:
        if folder.is_dir():
            atomic.remove_stale_temporaries(folder)
    for old, new in todo.moves:
        atomic.move_new(inside_pack(pack, old), inside_pack(pack, new))


def render(
    items: Iterable[Planned | SkippedRow],
    models: Models | None,
    profile: GameProfile,
    background,
    known: Iterable[np.ndarray],
    opts: BuildOptions,
) -> Iterator[Rendered | Planned | SkippedRow]:
    """Every item in plan order: a finished portrait for each one to build, the others as they are.
    No two players look like one person: a face within SAME_PERSON of one already in the pack
    (`known`, and each one made here) is re-drawn as the same player's other faces (variants of its
    own request), so the result never depends on batch-mates."""
    faces = FaceIndex(SAME_PERSON)
    for code in known:
        faces.add(code)

    def make(requests: Sequence[FaceRequest]) -> list[np.ndarray]:
        portraits = models.generator.generate(requests)
        mattes = models.segmenter.matte([p.image for p in portraits])
        return [compose_portrait(p.image, m, p.background, profile, background) for p, m in zip(portraits, mattes)]

    def finish(chunk: list[Planned | SkippedRow], made) -> Iterator[Rendered | Planned | SkippedRow]:
        results = iter(made.result() if made is not None else ())
        for it in chunk:
            if not (isinstance(it, Planned) and it.status == "build"):
                yield it
                continue
            pixels = next(results)
            code = face_code(_on_ui(pixels, profile))
            distance, variant, redraws = faces.nearest(code), 0, 0
            while distance < faces.threshold and redraws < MAX_REDRAWS:
                # The same player's other faces: region and skin stay, so that keeping the least
                # alike never trades a player's looks for a rarer kind of face.
                redraws += 1
                other = make([replace(it.request, variant=redraws)])[0]
                other_code = face_code(_on_ui(other, profile))
                other_distance = faces.nearest(other_code)
                if other_distance > distance:
                    distance, variant, pixels, code = other_distance, redraws, other, other_code
            faces.add(code)
            redraw = None
            if redraws:
                kept = (
                    f"face {variant} kept"
                    if distance >= faces.threshold
                    else f"still like another; face {variant}, the least alike, kept"
                )
                redraw = (variant, f"re-drawn {redraws}x: looked like a player already in the pack; {kept}")
            yield Rendered(it, pixels, redraw)

    # The next batches are made in worker threads while this one is checked and handed on: the
    # networks, the refinement and PNG encoding release the GIL, so both cores work. Results are
    # taken in plan order and re-draws made in place, so the pack is the same byte for byte. The
    # rows between faces wait with the batch they precede (CHUNK at most), so order is kept and
    # nothing piles up when a pack is nearly complete.
    with ThreadPoolExecutor(max_workers=AHEAD) as pool:
        pending: deque = deque()

        def submit(chunk: list, builds: list[Planned]) -> None:
            pending.append((chunk, pool.submit(make, [it.request for it in builds]) if builds else None))

        size = pipeline_batch(opts.batch_size, models)
        chunk: list[Planned | SkippedRow] = []
        builds: list[Planned] = []
        for it in items:
            chunk.append(it)
            if isinstance(it, Planned) and it.status == "build":
                builds.append(it)
            if len(builds) == size or len(chunk) >= CHUNK:
                submit(chunk, builds)
                chunk, builds = [], []
                while len(pending) > AHEAD:
                    yield from finish(*pending.popleft())
        if chunk:
            submit(chunk, builds)
        while pending:
            yield from finish(*pending.popleft())


def pipeline_batch(asked: int, models: Models | None) -> int:
    """Faces per batch: --batch-size, rounded up to a whole number of the networks' calls. A network
    always runs its one fixed batch shape (at another shape a face can come out one level apart in a
    few pixels, and a face must depend on its player alone), so a smaller batch only pads the call:
    --batch-size 1 took 3.5x the time of 16 with both networks. The painter and the colour key take
    any number."""
    unit = max((getattr(m, "batch_size", 1) for m in (models.generator, models.segmenter)), default=1) if models else 1
    return -(-asked // unit) * unit


def write_pack_files(
    pack: Path,
    profile: GameProfile,
    opts: BuildOptions,
    faces: int,
    maps: list[tuple[str, str]],
    preview: list[tuple[Path, str]],
    old_config: bytes | None,
) -> None:
    """config.xml (where the game reads one), pack.json and preview.png, each atomically (the
    manifest is written as the build goes)."""
    if profile.config_xml:
        config_path = inside(pack, "config.xml")
        atomic.write_bytes(config_path, render_config(old_config, maps, str(config_path)))
    atomic.write_text(inside(pack, PACK_INFO), _pack_info(opts, profile, faces))
    write_preview(inside(pack, "preview.png"), preview, profile.size, profile.ui_colour)


def _pack_info(opts: BuildOptions, profile: GameProfile, faces: int) -> str:
    """What made this pack: no paths or times, so that the same build writes the same bytes."""
    from facepack import __version__

    info = {
        "facepack": __version__,
        "game": profile.name,
        "roster": opts.roster.name,
        "season": opts.season.isoformat(),
        "seed": opts.seed,
        "generator": opts.model.name if opts.model else opts.generator,
        "psi": opts.psi if (opts.model or opts.generator == "learned") else None,
        **({"upsampler": opts.upsampler_model.name} if opts.upsampler_model else {}),
        "segmenter": opts.segmenter_model.name if opts.segmenter_model else opts.segmenter,
        "faces": faces,
    }
    return json.dumps(info, indent=2, ensure_ascii=False) + "\n"


def _stem(file: str, profile: GameProfile) -> str:
    return file.rsplit("/", 1)[-1][: -len(profile.extension)]


def _caption(it: Planned) -> str:
    p = it.player
    second = f"{p.birth_date:%d.%m.%Y}" if p.birth_date else (f"UID {p.uid}" if p.uid else "")
    return f"{p.name}\n{second}"


def _on_ui(pixels: np.ndarray, profile: GameProfile) -> np.ndarray:
    """RGB for comparing faces: a transparent portrait is judged on the game's UI colour."""
    if pixels.shape[2] == 3:
        return pixels
    a = pixels[..., 3:].astype(np.float32) / 255.0
    return (pixels[..., :3] * a + np.asarray(profile.ui_colour, np.float32) * (1 - a)).astype(np.uint8)


def _code_of_file(path: Path, profile: GameProfile) -> np.ndarray | None:
    try:
        with Image.open(path) as im:
            px = np.asarray(im.convert("RGBA"))
    except OSError:  # a user's own file need not be a picture
        return None
    return face_code(_on_ui(px, profile))


def _manifest_row(it: Planned | SkippedRow, redrawn: tuple[int, str] | None = None) -> ManifestRow:
    if isinstance(it, SkippedRow):
        return ManifestRow(it.line, it.name, it.birth_date, it.uid, "", "", "", "skipped", it.reason)
    p = it.player
    return ManifestRow(
        line=p.line,
        name=p.name,
        birth_date=p.birth_date.isoformat() if p.birth_date else "",
        id=p.uid or "",
        file=it.file,
        seed=f"{it.request.seed:016x}",
        age_group=age_group(it.request.age),
        status="built" if it.status == "build" else it.status,
        reason=redrawn[1] if redrawn else it.reason,
    )
