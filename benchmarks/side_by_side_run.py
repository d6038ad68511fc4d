"""Training runs' latest checkpoints against the painter (and the shipped model), while they train.

    python benchmarks/side_by_side_run.py runs/gan-traits256 [runs/other ... | M.keras ...] [--players 300] [--probe 2000] [--shipped] [--keep M.keras]

Exports a copy of each run's checkpoint (the run itself is not touched, so it can go on
training), then measures it with generator.measures.side_by_side on the same held-out players
as the painter: sharpness ratio, look-alike share, the largest grey / blond / beard gap by age
band and the grey cliff. Every model named is read by the same attribute probe, trained once,
so the rows compare (an A/B of two runs from one checkpoint); --shipped adds the shipped model,
a renderer's run folder is exported from a copy at its last checkpoint (its data: --data), and
a .keras file named instead of a run is measured as it is.
Prints one JSON line per model. --keep saves the first model's export (for benchmarks/sheet_side_by_side.py
--model). Run from the repository root: the run's dataset is found by its recorded command.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from facepack.core.quiet import import_keras


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", type=Path, nargs="+")
    ap.add_argument("--players", type=int, default=300)
    ap.add_argument("--probe", type=int, default=2000, help="painted faces the attribute probe trains on")
    ap.add_argument("--shipped", action="store_true", help="measure the shipped model too")
    ap.add_argument("--noise", type=float, default=0.5, help="the export's --inference-noise")
    ap.add_argument("--keep", type=Path, default=None, help="save the first model's export here")
    ap.add_argument("--data", type=Path, default=Path("runs/data/painter256b"), help="a renderer run's dataset")
    a = ap.parse_args()

    keras = import_keras()
    from facepack.generator import load_generator
    from facepack.generator.measures import side_by_side, train_probe
    from facepack.generator.stylegan.model import GanConfig
    from facepack.generator.stylegan.train import TrainSettings, config_of, train_generator

    with tempfile.TemporaryDirectory() as tmp:
        models = []
        for run in a.runs:
            if run.suffix == ".keras":  # an export (a renderer's, or a kept one) is measured as it is
                steps = json.loads(run.with_suffix(".json").read_text()).get("steps")
                models.append((f"{run.parent.name}/{run.name} step {steps}", run))
                continue
            if (run / "checkpoint.keras").exists():  # a renderer's run: exported from a copy at its last checkpoint
                models.append(renderer_export(run, Path(tmp), a.data))
                continue
            copy = Path(tmp) / run.name
            shutil.copytree(run / "checkpoint", copy / "checkpoint")
            state = json.loads((copy / "checkpoint" / "state.json").read_text())
            data = Path(state["command"].split()[3]) if state.get("command") else None
            export = train_generator(
                data,
                copy,
                GanConfig(**config_of(state)),
                TrainSettings(**state["settings"]),
                export_only=True,
                noise=a.noise,
                log=lambda m: None,
            )
            models.append((f"{run.name} step {state['step']}", export))
        if a.keep:
            shutil.copy(models[0][1], a.keep)
            shutil.copy(models[0][1].with_suffix(".json"), a.keep.with_suffix(".json"))
        probe = train_probe(keras, count=a.probe)
        painter = load_generator("painter", size=256)
        models += [("shipped", None)] if a.shipped else []
        painted: dict[tuple, list] = {}  # the same players for every model: painted once

        def reference(reqs):
            if tuple(reqs) not in painted:
                painted[tuple(reqs)] = [p.image for p in painter.generate(reqs)]
            return painted[tuple(reqs)]

        for name, model in models:
            gen = load_generator("learned", size=256, model=model)
            r = side_by_side(
                keras,
                lambda reqs, gen=gen: [p.image for p in gen.generate(reqs)],
                reference,
                count=a.players,
                probe=probe,
                paired=gen.traits_known,
            )
            keep = (
                "sharpness_ratio",
                "lookalike_share",
                "reference_lookalike_share",
                "largest_rate_gap",
                "grey_cliff",
                "eye_whites_gap",
                "blue_eyes_gap",
            )
            row = {k: r[k] for k in keep + ("reference_grey_cliff", "meets_bars", "probe_accuracy", "probe_error")}
            row |= {k: r[k] for k in ("lower_face_match", "lower_face_unlike") if k in r}
            row["rates"], row["painter_rates"] = r["candidate"]["rates"], r["reference"]["rates"]
            # Where the largest gap is: the bands and attributes, learned against painter.
            row["rates_by_age"], row["painter_rates_by_age"] = r["candidate"]["rates_by_age"], r["reference"]["rates_by_age"]
            print(json.dumps({"model": name, **row}), flush=True)


def renderer_export(run: Path, tmp: Path, data: Path) -> tuple[str, Path]:
    """A renderer run's last checkpoint exported from a copy (a finished run exports without training)."""
    from facepack.generator.renderer.loop import RendererSettings, train_renderer

    copy = tmp / run.name
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns("samples"))
    state = json.loads((copy / "state.json").read_text())
    steps = state["epoch"] * state["settings"]["steps_per_epoch"]
    export = train_renderer(data, copy, RendererSettings(**state["settings"], steps=steps), log=lambda m: None)
    return f"{run.name} step {steps}", export


if __name__ == "__main__":
    main()
