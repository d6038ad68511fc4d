"""Releasing a pack on the Steam Workshop: `facepack workshop`.

Stages a release folder beside the pack, `PACK.workshop/`, holding what steamcmd uploads:

    content/             only what the game reads (EHM: players/ and nonplayers/; FM: the
                         portraits and config.xml), never manifest.csv, preview.png or pack.json
    preview.jpg          a grid of faces for the Workshop tile, under Steam's 1 MB
    workshop_item.vdf    steamcmd's item file (`steamcmd +login USER +workshop_build_item VDF +quit`)

and keeps `workshop.json` in the pack: the item's id (so the next release updates the same
item) and the files of the last staged and released versions (so the change note can say
what changed). Passwords never pass through here: steamcmd asks for them itself.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from facepack import __version__
from facepack.core import atomic
from facepack.core.errors import FacepackError
from facepack.existing import is_portrait_file
from facepack.profiles import GameProfile

VISIBILITY = {"public": 0, "friends": 1, "private": 2, "unlisted": 3}
TITLE_MAX = 128
TEXT_MAX = 8000
PREVIEW_LIMIT = 1_000_000  # bytes: Steam refuses a preview of 1 MB or more
RECORD = "workshop.json"
PREVIEW_COLUMNS, PREVIEW_ROWS = 5, 4
TILE = (128, 160)
STEAMCMD_HELP = "https://developer.valvesoftware.com/wiki/SteamCMD"


@dataclass(frozen=True)
class ReleaseOptions:
    pack: Path
    title: str
    description: str | None = None
    changenote: str | None = None
    visibility: str = "public"
    item_id: str | None = None
    app_id: int | None = None
    force: bool = False


@dataclass(frozen=True)
class Release:
    folder: Path
    content: Path
    preview: Path
    vdf: Path
    item_id: str
    changenote: str
    faces: int

    def command(self, user: str) -> list[str]:
        return ["steamcmd", "+login", user, "+workshop_build_item", str(self.vdf), "+quit"]


def game_files(pack: Path, profile: GameProfile) -> list[str]:
    """The pack's files the game reads, '/'-separated and sorted: its portraits, and config.xml where read."""
    folders = profile.portrait_folders or [""]
    files: list[str] = []
    for folder in folders:
        where = pack / folder if folder else pack
        if where.is_dir():
            files += [
                f"{folder}/{p.name}" if folder else p.name
                for p in sorted(where.iterdir())
                if is_portrait_file(p) and p.name != "preview.png"
            ]
    if profile.config_xml and (pack / "config.xml").is_file():
        files.append("config.xml")
    return files


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def change_note(before: dict[str, str] | None, now: dict[str, str]) -> str:
    """What changed since the last release, in a modder's words."""
    faces = {k: v for k, v in now.items() if k != "config.xml"}
    if before is None:
        return f"First release: {len(faces)} faces."
    old = {k: v for k, v in before.items() if k != "config.xml"}
    added = len(faces.keys() - old.keys())
    removed = len(old.keys() - faces.keys())
    remade = sum(1 for k in faces.keys() & old.keys() if faces[k] != old[k])
    parts = [
        f"{n} face{'s' if n != 1 else ''} {what}" for n, what in ((added, "added"), (remade, "remade"), (removed, "removed")) if n
    ]
    if not parts:
        return f"No faces changed ({len(faces)} faces)."
    return f"{', '.join(parts)}; {len(faces)} faces in all."


def default_description(pack: Path, profile: GameProfile, faces: int) -> str:
    info = {}
    try:
        info = json.loads((pack / "pack.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    source = f" for the players of {info['roster']}" if info.get("roster") else ""
    made = f"Made with facepack {info.get('facepack', __version__)}"
    if info:
        made += (
            f" (seed {info.get('seed')}, generator {info.get('generator')}, cut-out {info.get('segmenter')}, "
            f"season {info.get('season')})"
        )
    return (
        f"{faces} generated player faces{source}, for {profile.title}. Players without a picture get one; "
        f"installed pictures are never replaced.\n\n{made}.\n\nInstall: {profile.install_hint}"
    )


def _vdf_text(value: str) -> str:
    # steamcmd's item file has no escapes: a double quote would end the value, so it becomes ”.
    return value.replace('"', "\u201d").rstrip("\\")


def item_file(fields: dict[str, str]) -> str:
    body = "".join(f'\t"{k}"\t\t"{_vdf_text(v)}"\n' for k, v in fields.items())
    return '"workshopitem"\n{\n' + body + "}\n"


def read_item_id(vdf: Path) -> str | None:
    """The publishedfileid steamcmd wrote back into an item file, if any."""
    try:
        text = vdf.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        parts = [p for p in line.strip().split('"') if p.strip()]
        if len(parts) == 2 and parts[0].strip().lower() == "publishedfileid" and parts[1].strip().isdigit():
            return parts[1].strip()
    return None


def preview_image(pack: Path, faces: list[str], background: tuple[int, int, int]) -> bytes:
    """A square grid of up to 20 faces, spread over the whole pack, as a JPEG under Steam's limit."""
    k = min(len(faces), PREVIEW_COLUMNS * PREVIEW_ROWS)
    chosen = [faces[round(i * (len(faces) - 1) / max(k - 1, 1))] for i in range(k)]
    cols = min(PREVIEW_COLUMNS, k)
    rows = -(-k // cols)
    side = max(cols * TILE[0], rows * TILE[1])
    sheet = Image.new("RGB", (side, side), background)
    x0, y0 = (side - cols * TILE[0]) // 2, (side - rows * TILE[1]) // 2
    for i, rel in enumerate(chosen):
        try:
            with Image.open(pack / rel) as im:
                face = im.convert("RGBA")
        except (OSError, ValueError, Image.DecompressionBombError):
            continue
        face.thumbnail(TILE, Image.LANCZOS)
        cell = Image.new("RGBA", TILE, background + (255,))
        cell.alpha_composite(face, ((TILE[0] - face.width) // 2, TILE[1] - face.height))  # shoulders on the edge
        sheet.paste(cell.convert("RGB"), (x0 + (i % cols) * TILE[0], y0 + (i // cols) * TILE[1]))
    for quality in (92, 85, 75, 60, 45):
        buf = io.BytesIO()
        sheet.save(buf, format="JPEG", quality=quality, optimize=True)
        if buf.tell() < PREVIEW_LIMIT:
            return buf.getvalue()
    raise FacepackError("the preview cannot be brought under Steam's 1 MB limit")


def _record(pack: Path) -> dict:
    try:
        data = json.loads((pack / RECORD).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _check_text(name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise FacepackError(f"--{name}: {len(value)} characters; the Steam Workshop takes at most {limit}")


def stage(opts: ReleaseOptions, profile: GameProfile, problems: int) -> Release:
    """Stage (or restage) the release folder. Everything Steam would refuse is refused first, in one line."""
    pack = opts.pack.resolve()
    if not pack.is_dir():
        raise FacepackError(f"{opts.pack}: no such pack folder")
    if not opts.title.strip():
        raise FacepackError("--title: a Workshop item needs a title")
    _check_text("title", opts.title, TITLE_MAX)
    if opts.visibility not in VISIBILITY:
        raise FacepackError(f"--visibility {opts.visibility!r}: choose from {', '.join(VISIBILITY)}")
    if opts.item_id is not None and not (opts.item_id.isascii() and opts.item_id.isdigit()):
        raise FacepackError(f"--item-id {opts.item_id!r}: a Workshop item id is a number")
    app_id = opts.app_id or profile.app_id
    if not app_id:
        raise FacepackError(
            f"--app-id: {profile.title} has no Steam app id in its profile (it differs by year); "
            f"give the game's, e.g. --app-id 2252570 for Football Manager 2024"
        )
    files = game_files(pack, profile)
    faces = [f for f in files if f != "config.xml"]
    if not faces:
        raise FacepackError(f"{opts.pack}: no portraits to release (build the pack first)")
    if problems and not opts.force:
        raise FacepackError(
            f"{opts.pack}: {problems} problems the game would have (`facepack validate {opts.pack}` "
            f"lists them); fix them, or --force releases anyway"
        )

    folder = pack.parent / f"{pack.name}.workshop"
    vdf = folder / "workshop_item.vdf"
    record = _record(pack)
    # steamcmd writes a new item's id back into the item file: a release uploaded by hand is noticed here.
    written = read_item_id(vdf)
    if written and written != "0" and written != record.get("publishedfileid") and "staged" in record:
        record.update(publishedfileid=written, released=record["staged"])
    item_id = opts.item_id or record.get("publishedfileid") or "0"
    now = {rel: _digest(pack / rel) for rel in files}
    released = (record.get("released") or {}).get("files")
    note = opts.changenote if opts.changenote is not None else change_note(released, now)
    description = opts.description if opts.description is not None else default_description(pack, profile, len(faces))
    _check_text("description", description, TEXT_MAX)
    _check_text("changenote", note, TEXT_MAX)
    preview_bytes = preview_image(pack, faces, profile.ui_colour)

    folder.mkdir(exist_ok=True)
    content = folder / "content"
    _replace_folder(content, lambda staging: _copy_files(pack, files, staging))
    preview = folder / "preview.jpg"
    atomic.write_bytes(preview, preview_bytes)
    fields = {
        "appid": str(app_id),
        "publishedfileid": item_id,
        "contentfolder": str(content),
        "previewfile": str(preview),
        "visibility": str(VISIBILITY[opts.visibility]),
        "title": opts.title,
        "description": description,
        "changenote": note,
    }
    atomic.write_text(vdf, item_file(fields))
    record.update(app_id=app_id, publishedfileid=item_id, staged={"files": now, "changenote": note})
    atomic.write_text(pack / RECORD, json.dumps(record, indent=2, sort_keys=True) + "\n")
    return Release(folder, content, preview, vdf, item_id, note, len(faces))


def _copy_files(pack: Path, files: list[str], into: Path) -> None:
    for rel in files:
        target = into / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(pack / rel, target)  # a pack of thousands of faces costs no space twice
        except OSError:
            shutil.copyfile(pack / rel, target)


def _replace_folder(folder: Path, fill) -> None:
    """Fill a fresh folder beside `folder`, then swap it in: the old content is never mixed with the new."""
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}{atomic.TMP_MARK}", dir=folder.parent))
    try:
        os.chmod(staging, 0o777 & ~atomic.current_umask())  # mkdtemp makes it private; Steam and the user read it
        fill(staging)
        old = None
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}-old{atomic.TMP_MARK}", dir=folder.parent))
            os.rename(folder, old / "content")
        os.rename(staging, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def upload(release: Release, pack: Path, user: str) -> str:
    """Run steamcmd on the staged item; return the item id it published. Its prompts stay its own."""
    steamcmd = shutil.which("steamcmd")
    command = " ".join(release.command(user))
    if steamcmd is None:
        raise FacepackError(f"steamcmd is not installed (get it from {STEAMCMD_HELP}); then run: {command}")
    result = subprocess.run([steamcmd, *release.command(user)[1:]])
    if result.returncode != 0:
        raise FacepackError(f"steamcmd failed (exit {result.returncode}); the release is staged: run {command}")
    item_id = read_item_id(release.vdf) or release.item_id
    if item_id == "0":
        raise FacepackError(f"steamcmd did not write the new item's id into {release.vdf}; check its output")
    record = _record(pack)
    record.update(publishedfileid=item_id, released=record.get("staged"))
    atomic.write_text(pack / RECORD, json.dumps(record, indent=2, sort_keys=True) + "\n")
    return item_id
