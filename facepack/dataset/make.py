"""`facepack dataset`: painted portraits and/or cleaned facepacks into train and test shards."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from facepack.core.atomic import write_text
from facepack.core.errors import FacepackError
from facepack.core.records import SplitWriter, shards, write_info
from facepack.dataset.cleaning import clean_facepacks
from facepack.dataset.painted import painted_samples
from facepack.generator.base import AGE_GROUPS, UI_BLUE
from facepack.naming import person_key
from facepack.players import face_seed

FORMAT = "facepack-dataset/1"


@dataclass(frozen=True)
class DatasetOptions:
    out: Path
    folders: tuple[Path, ...] = ()
    painter: int = 0
    size: int = 128
    season: date = field(default_factory=date.today)
    max_age: float = 43.0
    roster: Path | None = None
    holdout: float = 0.1
    seed: int = 0
    overwrite: bool = False
    workers: int = 1  # processes painting portraits (the same portraits whatever the count)
    command: str = ""  # how it was made, for the model cards of what trains on it


def _prepare(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise FacepackError(f"--out {out}: exists and is not a folder")
    if out.exists() and any(out.iterdir()):
        if not (out / "dataset.json").exists():
            raise FacepackError(f"--out {out}: folder is not empty and is not a facepack dataset; choose another")
        if not overwrite:
            raise FacepackError(f"--out {out}: a dataset is already there; --overwrite remakes it")
        for p in shards(out, "train") + shards(out, "test"):
            p.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _roster_nations(roster: Path, season: date) -> dict[str, str]:
    from facepack.naming import file_name
    from facepack.profiles import load_profile
    from facepack.roster import read_roster

    ehm = load_profile("ehm")
    players = read_roster(roster, season=season, include_staff=True).players
    # By person, as the game matches: community files write 1_2_2000 or 01_02_2000 alike.
    return {person_key(file_name(p, ehm)[: -len(ehm.extension)]): p.nationality or "" for p in players}


def check_options(opts: DatasetOptions) -> None:
    """What can be refused before anything is read or imported (TensorFlow takes seconds to load)."""
    if not opts.folders and opts.painter <= 0:
        raise FacepackError("nothing to make: give facepack folders and/or --painter N")
    if not 0.0 <= opts.holdout < 1.0:
        raise FacepackError("--holdout must be in [0, 1)")
    if opts.size < 32:
        raise FacepackError("--size must be at least 32")
    for folder in opts.folders:
        if not folder.is_dir():
            raise FacepackError(f"{folder}: no such folder")


def make_dataset(opts: DatasetOptions, on_sample: Callable[[], None] | None = None) -> dict:
    check_options(opts)
    _prepare(opts.out, opts.overwrite)
    nations = _roster_nations(opts.roster, opts.season) if opts.roster else None
    tick = on_sample or (lambda: None)

    verdicts = []
    with SplitWriter(opts.out, "train") as train, SplitWriter(opts.out, "test") as test:
        if opts.painter > 0:
            n_test = round(opts.painter * opts.holdout)
            for i, sample in enumerate(painted_samples(opts.painter, opts.size, opts.seed, workers=opts.workers)):
                (test if i >= opts.painter - n_test else train).write(sample)
                tick()
        if opts.folders:
            verdicts, samples = clean_facepacks(list(opts.folders), opts.size, opts.season, opts.max_age, nations)
            for sample in samples:
                # The split follows the file, so a re-made dataset puts each picture on the same side.
                held_out = face_seed(sample.source, opts.seed) % 10_000 < opts.holdout * 10_000
                (test if held_out else train).write(sample)
                tick()

    dropped = Counter(
        v.reason.split(" (")[0] if v.reason.startswith("unreadable") else v.reason for v in verdicts if v.status == "dropped"
    )
    info = {
        "format": FORMAT,
        "command": opts.command,
        "resolution": opts.size,
        "background": list(UI_BLUE),
        "splits": {"train": train.count, "test": test.count},
        "painter": {"count": opts.painter, "seed": opts.seed} if opts.painter else None,
        "facepacks": [str(f) for f in opts.folders],
        "kept": sum(1 for v in verdicts if v.status == "kept"),
        "dropped": dict(sorted(dropped.items())),
        "season": opts.season.isoformat(),
        "max_age": opts.max_age,
        "holdout": opts.holdout,
        "age_groups": [g[0] for g in AGE_GROUPS],
    }
    if verdicts:
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["file", "status", "reason"])
        w.writerows([str(v.path), v.status, v.reason] for v in verdicts)
        write_text(opts.out / "report.csv", buf.getvalue())
    write_info(opts.out, info)
    return info
