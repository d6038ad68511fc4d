"""`facepack validate`: would this pack work in the game? Checked by the game's own rules.

What a modder runs before a release: pictures that do not decode, are too large or of
a mode the game does not read; names the game will not match (EHM: `First_Last_D_M_YYYY.png`
in `players/` or `nonplayers/`, no leading zeros); two pictures for one person or one
picture for two people; config.xml mappings (FM) that point at missing files, and
pictures no mapping reaches; and, given the roster, which players the game will find a
face for and which files match nobody.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from facepack.config_xml import mapped_files
from facepack.config_xml import parse as parse_config
from facepack.core.errors import FacepackError
from facepack.existing import IMAGE_SUFFIXES, stem_key
from facepack.naming import birth_date_in, file_name, person_key
from facepack.profiles import GameProfile, load_profile
from facepack.roster import Roster

GAME_MODES = {"RGB", "RGBA"}
# Decoding is bounded: a picture over this many pixels is refused unread (the game shows 200x200).
MAX_PIXELS = 64_000_000


@dataclass(frozen=True)
class Finding:
    severity: str  # "error": it would not work in the game; "warning": worth a look
    where: str  # a file inside the pack, or a roster line
    problem: str


@dataclass
class Validation:
    pack: Path
    profile: GameProfile
    faces: int = 0  # pictures the game would read
    players: int | None = None  # roster players, when a roster was given
    found: int = 0  # roster players with a face the game will find
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def summary(self) -> str:
        who = f", {self.found} of {self.players} players have a face" if self.players is not None else ""
        verdict = "ready for the game" if not self.errors else "not ready"
        return (
            f"{self.faces} faces{who}; {len(self.errors)} errors, {len(self.warnings)} warnings: {verdict} "
            f"({self.profile.name}): {self.pack}"
        )


def guess_profile_name(pack: Path) -> str:
    """ehm for a pack with EHM's folders or dated names, fm for one named by unique IDs."""
    if any((pack / f).is_dir() for f in ("players", "nonplayers")):
        return "ehm"
    stems = [p.stem for p in pack.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.name != "preview.png"][:200]
    numeric = sum(1 for s in stems if s.isascii() and s.isdigit())
    return "fm" if stems and numeric * 2 > len(stems) else "ehm"


def pack_profile(pack: Path, game: str | None) -> GameProfile:
    """The profile asked for, or the one the pack looks made for."""
    if not pack.is_dir():
        raise FacepackError(f"{pack}: no such pack folder")
    return load_profile(game or guess_profile_name(pack))


def _pictures(pack: Path, profile: GameProfile, out: Validation) -> list[Path]:
    folders = profile.portrait_folders
    found: list[Path] = []
    if folders:
        for name in folders:
            folder = pack / name
            if folder.is_dir():
                found += sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        for p in sorted(pack.iterdir()):
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and p.name != "preview.png":
                out.findings.append(
                    Finding(
                        "error",
                        p.name,
                        f"at the pack's top level: {profile.title} reads pictures from "
                        f"{' and '.join(f + '/' for f in folders)} only",
                    )
                )
    else:
        found = sorted(
            p for p in pack.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and p.name != "preview.png"
        )
    return found


def _check_picture(path: Path, rel: str, profile: GameProfile, out: Validation) -> str | None:
    """The picture's content hash, or None where it does not decode; findings for what the game would refuse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                if im.width * im.height > MAX_PIXELS:
                    out.findings.append(
                        Finding(
                            "error",
                            rel,
                            f"{im.width}x{im.height}: far larger than {profile.title} "
                            f"shows ({profile.max_size[0]}x{profile.max_size[1]} at most): refused unread",
                        )
                    )
                    return None
                im.load()
                fmt, mode, size = im.format, im.mode, im.size
                digest = hashlib.sha256(f"{mode}{size}".encode() + im.tobytes()).hexdigest()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        out.findings.append(
            Finding(
                "error",
                rel,
                f"far larger than {profile.title} shows ({profile.max_size[0]}x{profile.max_size[1]} at most): refused unread",
            )
        )
        return None
    except (OSError, ValueError, SyntaxError) as e:
        out.findings.append(Finding("error", rel, f"does not decode as a picture ({type(e).__name__})"))
        return None
    ext = profile.extension.lower()
    if path.suffix.lower() != ext:
        out.findings.append(Finding("error", rel, f"not a {ext} file: {profile.title} reads {profile.extension} pictures"))
    elif fmt != ext.lstrip(".").upper():
        out.findings.append(Finding("error", rel, f"a {fmt} picture named {path.suffix}: save it as a real {ext}"))
    if mode not in GAME_MODES:
        out.findings.append(Finding("error", rel, f"mode {mode}: save it as RGB or RGBA"))
    w, h = size
    mw, mh = profile.max_size
    if w > mw or h > mh:
        out.findings.append(
            Finding(
                "error",
                rel,
                f"{w}x{h}: larger than {profile.title} shows ({mw}x{mh} at most; {profile.size[0]}x{profile.size[1]} suggested)",
            )
        )
    return digest


def _check_name(path: Path, rel: str, profile: GameProfile, out: Validation) -> None:
    if path.name.startswith("."):
        out.findings.append(Finding("error", rel, "a hidden file (its name starts with a dot)"))
        return
    if profile.requires_id:
        if not (path.stem.isascii() and path.stem.isdigit()):
            out.findings.append(Finding("warning", rel, "not named by a unique ID: only a config.xml mapping can reach it"))
        return
    born = birth_date_in(path.stem)
    if born is None:
        out.findings.append(Finding("error", rel, "not the game's form First_Last_D_M_YYYY: no player will match it"))
        return
    day, month = path.stem.rsplit("_", 3)[1:3]
    if day.startswith("0") or month.startswith("0"):
        name = path.stem.rsplit("_", 3)[0]
        out.findings.append(
            Finding(
                "error",
                rel,
                f"day or month with a leading zero: the game looks for "
                f"{name}_{born.day}_{born.month}_{born.year}{profile.extension}",
            )
        )


def validate_pack(pack: Path, profile: GameProfile, roster: Roster | None = None) -> Validation:
    if not pack.is_dir():
        raise FacepackError(f"{pack}: no such pack folder")
    out = Validation(pack, profile)
    pictures = _pictures(pack, profile, out)
    by_person: dict[str, str] = {}
    by_content: dict[str, str] = {}
    stems: dict[str, str] = {}  # stem key -> rel, for config.xml
    for path in pictures:
        rel = path.relative_to(pack).as_posix()
        _check_name(path, rel, profile, out)
        digest = _check_picture(path, rel, profile, out)
        key = person_key(path.stem)
        if key in by_person:
            out.findings.append(Finding("error", rel, f"a second picture for the person of {by_person[key]}"))
        else:
            by_person[key] = rel
        if digest is not None:
            if digest in by_content:
                out.findings.append(Finding("error", rel, f"the same face as {by_content[digest]}: two players share one face"))
            else:
                by_content[digest] = rel
        stems.setdefault(stem_key(path.stem), rel)
    out.faces = len(pictures)

    mapped_uids: dict[str, str] = {}  # uid -> rel of the picture mapped to it
    if profile.config_xml:
        mapped_uids = _check_config(pack, profile, stems, out)

    if roster is not None:
        rels = {stem_key(path.relative_to(pack).as_posix()) for path in pictures}  # Windows ignores case
        _check_roster(pack, profile, roster, by_person, mapped_uids, rels, out)
    out.findings.sort(key=lambda f: (f.severity != "error", f.where))
    return out


def _check_config(pack: Path, profile: GameProfile, stems: dict[str, str], out: Validation) -> dict[str, str]:
    path = pack / "config.xml"
    if not path.is_file():
        if stems:
            out.findings.append(Finding("error", "config.xml", f"missing: {profile.title} maps pictures to people through it"))
        return {}
    try:
        root = parse_config(path.read_bytes(), "config.xml")
    except FacepackError as e:
        out.findings.append(Finding("error", "config.xml", str(e).removeprefix("config.xml: ")))
        return {}
    mapped: dict[str, str] = {}
    faces_of: dict[str, str] = {}  # stem key -> uid
    for stem, uid in mapped_files(root):
        rel = stems.get(stem_key(stem))
        if rel is None:
            out.findings.append(Finding("error", "config.xml", f"maps {stem!r} to person {uid}, and there is no such picture"))
            continue
        other = faces_of.get(stem_key(stem))
        if other is not None and other != uid:
            out.findings.append(Finding("error", rel, f"mapped to two people ({other} and {uid}): they would share one face"))
        faces_of[stem_key(stem)] = uid
        mapped[uid] = rel
    for key, rel in stems.items():
        if key not in faces_of:
            out.findings.append(Finding("error", rel, "no config.xml mapping reaches it: the game will not show it"))
    return mapped


def _check_roster(
    pack: Path,
    profile: GameProfile,
    roster: Roster,
    by_person: dict[str, str],
    mapped_uids: dict[str, str],
    pictures: set[str],
    out: Validation,
) -> None:
    out.players = len(roster.players)
    wanted: set[str] = set()
    uids = {p.uid for p in roster.players if p.uid}
    for p in roster.players:
        try:
            name = file_name(p, profile)
        except FacepackError as e:
            out.findings.append(Finding("warning", f"roster line {p.line}", f"{p.name}: {e}"))
            continue
        folder = profile.folder_for(p.staff)
        rel = f"{folder}/{name}" if folder else name
        wanted.add(person_key(name[: -len(profile.extension)]))
        # The game's rule: FM follows config.xml's mapping of the ID; EHM looks for the exact name.
        ok = p.uid in mapped_uids if profile.config_xml and p.uid else stem_key(rel) in pictures
        if ok:
            out.found += 1
        else:
            out.findings.append(Finding("error", f"roster line {p.line}", f"{p.name}: no face the game will find (wants {rel})"))
    uid_of = {rel: uid for uid, rel in mapped_uids.items()}
    for key, rel in by_person.items():
        if key not in wanted and uid_of.get(rel) not in uids:
            out.findings.append(Finding("warning", rel, "matches no player in the roster"))
