"""The `facepack` command line."""

from __future__ import annotations

import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from facepack import __version__
from facepack.core.errors import FacepackError
from facepack.generator import DEFAULT_GENERATOR, DEFAULT_PSI

app = typer.Typer(
    help="Turn a sports-management game's database export into a finished facepack.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

# What a roster or a file name may carry that a terminal would obey (escape sequences, bidi
# overrides) or could not print (bytes no encoding read): shown as '?' on the terminal.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\udc80-\udcff]")


def shown(text: object) -> str:
    return _UNPRINTABLE.sub("?", str(text))


SHOWN = 50  # validate's findings printed before "... and N more"


def _version(value: bool) -> None:
    if value:
        print(f"facepack {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Turn a sports-management game's database export into a finished facepack."""


# Roster options, the same on every command that reads a roster (build, morph, validate).
COLUMNS = typer.Option(
    None,
    "--columns",
    help="Column overrides, e.g. first=Forename,last=Surname,dob=Born (or 0-based numbers).",
    show_default=False,
)
INCLUDE_STAFF = typer.Option(
    False, "--include-staff", help="Also take Non-Player rows (staff); EHM keeps their pictures in nonplayers/."
)
SEASON = typer.Option(
    None, "--season", help="Game date YYYY-MM-DD that ages are computed at. [default: today]", show_default=False
)
GAME = typer.Option(
    None,
    "--game",
    "-g",
    help="Game profile: ehm (players/First_Last_D_M_YYYY.png), fm (UID.png, FM24 and later) or fm23. [default: fm for an FM print-screen export, else ehm]",
    show_default=False,
)
GENERATOR_MODEL = typer.Option(
    None,
    "--generator-model",
    help="Another learned generator (.keras from `facepack train generator`); implies --generator learned.",
    show_default=False,
)
UPSAMPLER_MODEL = typer.Option(
    None,
    "--upsampler-model",
    help="Another upsampler for the learned generator (.keras from `facepack train upsampler`); implies --generator learned.",
    show_default=False,
)
SEGMENTER_MODEL = typer.Option(
    None,
    "--segmenter-model",
    help="Another cut-out model (.keras from `facepack train segmenter`); implies --segmenter learned.",
    show_default=False,
)
PSI = typer.Option(DEFAULT_PSI, "--psi", help="Truncation of the learned generator: lower is more typical, higher more varied.")
# Commands that read a pack rather than a roster (validate, workshop) guess its game from it.
PACK_GAME = typer.Option(
    None,
    "--game",
    "-g",
    help="Game profile. [default: guessed from the pack: EHM's folders and dated names, or FM's unique IDs]",
    show_default=False,
)
QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar or per-item reports; only the summary.")


def _log(quiet: bool):
    return (lambda _m: None) if quiet else (lambda m: err.print(shown(m), markup=False, soft_wrap=True))


def _season(text: Optional[str]) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FacepackError(f"--season {text!r}: use YYYY-MM-DD (the in-game date)") from None


@app.command(rich_help_panel="Packs")
def build(
    roster: Path = typer.Argument(
        ...,
        metavar="ROSTER",
        help="The league export: CSV (, ; or tab), headerless EHM layout or with a header row, or FM's Print screen -> Text file (.rtf).",
        show_default=False,
    ),
    out_dir: Path = typer.Option(Path("packs"), "--out", "-o", help="Folder the pack folder is made in."),
    name: Optional[str] = typer.Option(
        None, "--name", help="Pack folder name. [default: the roster file's name]", show_default=False
    ),
    game: Optional[str] = GAME,
    padded_dates: bool = typer.Option(
        False,
        "--padded-dates",
        help="EHM: write day and month with leading zeros (03_01_2006), as facepack did before 0.2; the game and community packs use 3_1_2006.",
    ),
    mapping: Optional[str] = typer.Option(
        None,
        "--mapping",
        help="FM config.xml form: newgen (graphics/pictures/person/r-UID/portrait, FM24 generated players) or plain (UID, database players). [default: the profile's]",
        show_default=False,
    ),
    generator: str = typer.Option(
        DEFAULT_GENERATOR,
        "--generator",
        help="Face generator: painter (procedural, the default until a learned model meets the README's bars) or "
        "learned (the shipped StyleGAN, or --generator-model).",
    ),
    generator_model: Optional[Path] = GENERATOR_MODEL,
    upsampler_model: Optional[Path] = UPSAMPLER_MODEL,
    psi: float = PSI,
    segmenter: str = typer.Option(
        "learned",
        "--segmenter",
        help="Background cut-out: learned (the shipped model, best on generated faces), selfie (MediaPipe's person "
        "model) or chroma (colour key).",
    ),
    segmenter_model: Optional[Path] = SEGMENTER_MODEL,
    background: Optional[str] = typer.Option(
        None,
        "--background",
        "-b",
        help="ui (the game's blue), transparent, or #RRGGBB. [default: the profile's]",
        show_default=False,
    ),
    season: Optional[str] = SEASON,
    seed: int = typer.Option(0, "--seed", help="Pick another set of faces for the whole pack."),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace portraits already in the pack and start config.xml afresh."
    ),
    existing: List[Path] = typer.Option(
        [], "--existing", help="An installed facepack: players with a face there are skipped. Repeatable.", show_default=False
    ),
    include_staff: bool = INCLUDE_STAFF,
    columns: Optional[str] = COLUMNS,
    batch_size: int = typer.Option(
        16, "--batch-size", help="Faces made per batch (rounded up to a whole number of the networks' batches of 8)."
    ),
    quiet: bool = QUIET,
) -> None:
    """Build (or complete) a facepack from a league export.

    Existing portraits in the pack are kept, so a re-run after an interruption finishes the pack.
    """
    from facepack.build import BuildOptions, build_pack
    from facepack.profiles import MAPPINGS
    from facepack.roster import parse_columns

    opts = BuildOptions(
        roster=roster,
        out=out_dir,
        season=_season(season),
        name=name,
        game=game,
        generator="learned" if (generator_model or upsampler_model) else generator,
        model=generator_model,
        upsampler_model=upsampler_model,
        psi=psi,
        segmenter="learned" if segmenter_model else segmenter,
        segmenter_model=segmenter_model,
        background=background,
        seed=seed,
        overwrite=overwrite,
        existing=tuple(existing),
        include_staff=include_staff,
        columns=parse_columns(columns),
        batch_size=batch_size,
        padded_dates=padded_dates,
        mapping=mapping,
    )
    if mapping is not None and mapping not in MAPPINGS:
        raise FacepackError(f"--mapping {mapping!r}: choose from {', '.join(MAPPINGS)}")
    progress = Progress(
        TextColumn("[bold]faces"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=err,
        disable=quiet,
        transient=False,
    )
    with progress:
        task = progress.add_task("faces", total=None)
        report = build_pack(
            opts,
            on_start=lambda total: progress.update(task, total=total),
            on_face=lambda _item: progress.advance(task),
        )
    if not quiet:
        if report.device and report.device != "CPU":
            err.print(shown(f"networks ran on {report.device}"), markup=False, soft_wrap=True)
        if report.renamed:
            first = report.renamed[0]
            err.print(
                shown(
                    f"renamed {report.renamed_count} portraits of an earlier version to the game's names (see manifest.csv), "
                    f"e.g. {first.reason.removeprefix('renamed from ')} -> {first.file}"
                ),
                markup=False,
                soft_wrap=True,
            )
        for row in report.skipped:  # the first few (build.SKIPPED_KEPT); the manifest has them all
            err.print(shown(f"line {row.line}: skipped {row.name or '(no name)'}: {row.reason}"), markup=False, soft_wrap=True)
        more = report.count("skipped") - len(report.skipped)
        if more > 0:
            err.print(f"... and {more} more skipped rows, see manifest.csv", markup=False, soft_wrap=True)
    out.print(
        shown(f"built {report.count('built')}, kept {report.count('kept')}, skipped {report.count('skipped')}: {report.pack}"),
        markup=False,
        soft_wrap=True,
    )


@app.command(rich_help_panel="Models")
def dataset(
    folders: List[Path] = typer.Argument(
        None,
        metavar="FACEPACK_DIR",
        help="Installed facepacks to learn from (PNG with transparent background, EHM-style names).",
        show_default=False,
    ),
    out_dir: Path = typer.Option(
        ...,
        "--out",
        "-o",
        help="Dataset folder to write (train/test TFRecord shards, dataset.json, report.csv).",
        show_default=False,
    ),
    painter: int = typer.Option(0, "--painter", help="Also add N painted portraits with their exact mattes."),
    size: int = typer.Option(128, "--size", help="Training resolution (square side, px)."),
    max_age: float = typer.Option(43.0, "--max-age", help="Drop people older than this at --season (old staff photos)."),
    season: Optional[str] = typer.Option(
        None, "--season", help="Date ages are computed at, YYYY-MM-DD. [default: today]", show_default=False
    ),
    roster: Optional[Path] = typer.Option(
        None, "--roster", help="A roster giving nationalities for the facepacks' players.", show_default=False
    ),
    holdout: float = typer.Option(0.1, "--holdout", help="Share held out as the test split."),
    seed: int = typer.Option(0, "--seed", help="Seed of the painted portraits and of the split."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Remake a dataset already in --out."),
    workers: int = typer.Option(
        1, "--workers", min=0, help="Processes painting portraits, 0: one per CPU core (the same portraits either way)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Make training data: clean installed facepacks and/or paint portraits, as TFRecord shards."""
    from facepack.core.quiet import import_keras
    from facepack.dataset.make import DatasetOptions, check_options, make_dataset

    opts = DatasetOptions(
        out=out_dir,
        folders=tuple(folders or ()),
        painter=painter,
        size=size,
        season=_season(season),
        max_age=max_age,
        roster=roster,
        holdout=holdout,
        seed=seed,
        overwrite=overwrite,
        workers=workers or os.cpu_count() or 1,
        command="facepack dataset " + " ".join(sys.argv[2:]),
    )
    check_options(opts)  # a mistyped command is told at once, not after TensorFlow has loaded
    import_keras()
    progress = Progress(
        TextColumn("[bold]images"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, disable=quiet
    )
    with progress:
        task = progress.add_task("images", total=None)
        info = make_dataset(opts, on_sample=lambda: progress.advance(task))
    for reason, n in info["dropped"].items():
        err.print(f"dropped {n}: {reason}", markup=False, soft_wrap=True)
    out.print(
        f"train {info['splits']['train']}, test {info['splits']['test']}, dropped {sum(info['dropped'].values())}: {out_dir}",
        markup=False,
        soft_wrap=True,
    )


train_app = typer.Typer(help="Train the learned models on a dataset made by `facepack dataset`.", no_args_is_help=True)
evaluate_app = typer.Typer(
    help="Measure a model on a dataset's held-out split; write the numbers into its model card.", no_args_is_help=True
)
app.add_typer(train_app, name="train", rich_help_panel="Models")
app.add_typer(evaluate_app, name="evaluate", rich_help_panel="Models")


@train_app.command("segmenter")
def train_segmenter_cmd(
    data: Path = typer.Argument(..., metavar="DATA", help="Dataset folder (from `facepack dataset`).", show_default=False),
    out_dir: Path = typer.Option(
        ..., "--out", "-o", help="Run folder: checkpoints, log.csv, TensorBoard, the exported model.", show_default=False
    ),
    steps: int = typer.Option(2000, "--steps", help="Training steps (batches)."),
    batch_size: int = typer.Option(16, "--batch-size", help="Images per step."),
    size: int = typer.Option(128, "--size", help="Network input side (px)."),
    base: int = typer.Option(12, "--base", help="Width of the first encoder block (the model's size)."),
    depth: int = typer.Option(4, "--depth", help="Encoder levels."),
    checkpoint_every: int = typer.Option(100, "--checkpoint-every", help="Steps between checkpoints (and log lines)."),
    learning_rate: float = typer.Option(2e-3, "--learning-rate", help="Peak learning rate (cosine decay)."),
    seed: int = typer.Option(0, "--seed", help="Seed of initial weights and augmentation."),
    init: Optional[Path] = typer.Option(
        None, "--init", help="Start from this .keras model's weights (fine-tuning).", show_default=False
    ),
    backgrounds: str = typer.Option(
        "photos",
        "--backgrounds",
        help="What the subjects are put on: photos (photographs from the photos extra, clutter and flat colours), "
        "clutter (procedural only) or flat (near-flat colours, as the first model).",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No log lines; only errors."),
) -> None:
    """Train the cut-out network. Run the same command again to resume an interrupted run."""
    from facepack.core.quiet import import_keras

    import_keras()
    from facepack.segmenter.train import TrainConfig, train_segmenter

    cfg = TrainConfig(
        size=size,
        base=base,
        depth=depth,
        batch=batch_size,
        steps=steps,
        steps_per_epoch=checkpoint_every,
        learning_rate=learning_rate,
        seed=seed,
        backgrounds=backgrounds,
    )
    command = "facepack train segmenter " + " ".join(sys.argv[3:])
    train_segmenter(data, out_dir, cfg, init=init, log=_log(quiet), command=command)


@train_app.command("generator")
def train_generator_cmd(
    data: Path = typer.Argument(..., metavar="DATA", help="Dataset folder (from `facepack dataset`).", show_default=False),
    out_dir: Path = typer.Option(
        ..., "--out", "-o", help="Run folder: checkpoint, samples, TensorBoard, the exported model.", show_default=False
    ),
    steps: int = typer.Option(20000, "--steps", help="Training steps."),
    batch_size: int = typer.Option(16, "--batch-size", help="Images per step."),
    size: int = typer.Option(128, "--size", help="Native resolution (square side, a power of two)."),
    latent: int = typer.Option(128, "--latent", help="Latent and w size."),
    channel_max: int = typer.Option(128, "--channel-max", help="Widest layer (the model's size)."),
    channel_base: int = typer.Option(
        4096, "--channel-base", help="Layer width at resolution r is min(channel-max, channel-base / r)."
    ),
    channel_min: int = typer.Option(
        4, "--channel-min", min=1, help="Narrowest layer (lifts the highest resolutions' widths; growing a run adds such layers)."
    ),
    learning_rate: float = typer.Option(2e-3, "--learning-rate", help="Adam learning rate."),
    r1_gamma: float = typer.Option(1.0, "--r1-gamma", help="Strength of the R1 penalty on real images."),
    augment: float = typer.Option(
        1.0,
        "--augment",
        min=0.0,
        max=1.0,
        help="Share of images the critic sees augmented (colour, shift, cutout); below 1 it also sees where heads really sit.",
    ),
    balance_ages: bool = typer.Option(
        False, "--balance-ages", help="Draw each age group equally often instead of as the data has them."
    ),
    class_weight: float = typer.Option(
        0.0,
        "--class-weight",
        min=0.0,
        help="AC-GAN: the critic also learns age group and complexion from real portraits, and the generator is scored, at this weight, on being recognised as asked (0: off).",
        show_default=False,
    ),
    face_critic: bool = typer.Option(
        False,
        "--face-critic",
        help="A second critic that judges the face alone (brows to chin) at full resolution, beside the whole portrait's.",
    ),
    reconstruction: float = typer.Option(
        0.0,
        "--reconstruction",
        min=0.0,
        help="VAE-GAN: an encoder reads each real portrait and the generator is scored, at this weight, on redrawing it "
        "(L1); 10 as BicycleGAN (0: off).",
        show_default=False,
    ),
    kl_weight: float = typer.Option(
        0.01,
        "--kl-weight",
        min=0.0,
        help="With --reconstruction: how hard the encoder's readings are held to the prior build samples from.",
    ),
    trait_weight: float = typer.Option(
        0.0,
        "--trait-weight",
        min=0.0,
        help="With --traits: the critic also reads each real portrait's traits back, and the generator is scored, at this "
        "weight, on its faces being read as asked (0: off).",
        show_default=False,
    ),
    traits: bool = typer.Option(
        False,
        "--traits",
        help="Condition on each portrait's traits (age in years, skin, hair colour and greyness, style, facial hair, eyes, jersey) "
        "as the painter draws them, so the faces vary as the painter's do; community portraits train with theirs unknown.",
    ),
    checkpoint_every: int = typer.Option(500, "--checkpoint-every", help="Steps between checkpoints (and log lines)."),
    sample_every: int = typer.Option(500, "--sample-every", help="Steps between sample sheets."),
    seed: int = typer.Option(0, "--seed", help="Seed of weights, latents and batches."),
    init: Optional[Path] = typer.Option(
        None,
        "--init",
        help="Fine-tune from an exported generator (.keras), or go on from a run folder's checkpoint under new settings "
        "(a larger --size grows it: its layers kept, the new ones added).",
        show_default=False,
    ),
    export_only: bool = typer.Option(False, "--export-only", help="Export the run's last checkpoint now, without training."),
    precision: str = typer.Option(
        "float32", "--precision", help="float32, or mixed_bfloat16 on a GPU (bfloat16 compute, float32 weights)."
    ),
    noise: float = typer.Option(
        1.0, "--inference-noise", help="Scale of the fixed per-pixel noise in the exported model (0: smooth surfaces)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No log lines; only errors."),
) -> None:
    """Train the conditional StyleGAN generator. Run the same command again to resume.

    Under KERAS_BACKEND=jax it trains with JAX, over every device JAX sees (the batch split between them)."""
    from facepack.core.quiet import import_keras

    import_keras()
    from facepack.generator.stylegan.model import GanConfig
    from facepack.generator.stylegan.train import TrainSettings, train_generator

    if size < 8 or size & (size - 1):
        raise FacepackError("--size must be a power of two, at least 8")
    if trait_weight > 0 and not traits:
        raise FacepackError("--trait-weight reads traits back: it needs --traits")
    from facepack.generator.traits import TRAITS

    cfg = GanConfig(
        resolution=size,
        z_dim=latent,
        w_dim=latent,
        channel_base=channel_base,
        channel_max=channel_max,
        channel_min=channel_min,
        traits=TRAITS if traits else 0,
    )
    settings = TrainSettings(
        steps=steps,
        batch=batch_size,
        learning_rate=learning_rate,
        r1_gamma=r1_gamma,
        checkpoint_every=checkpoint_every,
        sample_every=sample_every,
        seed=seed,
        augment=augment,
        balance_ages=balance_ages,
        class_weight=class_weight,
        face_critic=face_critic,
        reconstruction=reconstruction,
        kl_weight=kl_weight,
        trait_weight=trait_weight,
    )
    command = "facepack train generator " + " ".join(sys.argv[3:])
    train_generator(
        data,
        out_dir,
        cfg,
        settings,
        init=init,
        log=_log(quiet),
        command=command,
        export_only=export_only,
        precision=precision,
        noise=noise,
    )


@train_app.command("renderer")
def train_renderer_cmd(
    data: Path = typer.Argument(
        ..., metavar="DATA", help="Dataset folder of painted portraits (`facepack dataset --painter N`).", show_default=False
    ),
    out_dir: Path = typer.Option(
        ..., "--out", "-o", help="Run folder: checkpoint, log.csv, sample sheets, the exported model.", show_default=False
    ),
    steps: int = typer.Option(40000, "--steps", help="Training steps (batches); a finished run trains on when raised."),
    batch_size: int = typer.Option(16, "--batch-size", help="Portraits per step."),
    size: int = typer.Option(128, "--size", help="Portrait size it draws (px, a power of two); the upsampler doubles it."),
    face_weight: float = typer.Option(5.0, "--face-weight", min=1.0, help="How much more a face pixel counts than another."),
    eye_weight: float = typer.Option(
        12.0, "--eye-weight", min=1.0, help="How much more a pixel of the eyes' band counts than one off the face."
    ),
    mouth_weight: float = typer.Option(
        1.0,
        "--mouth-weight",
        min=1.0,
        help="How much more a pixel of the nose-and-mouth band counts than one off the face (1: as the face).",
    ),
    mouth_detail: float = typer.Option(
        1.0,
        "--mouth-detail",
        min=0.0,
        max=1.0,
        help="How much of the detail term the nose-and-mouth band keeps (0: none; the traits place its features).",
    ),
    mouth_squared: float = typer.Option(
        0.0,
        "--mouth-squared",
        min=0.0,
        help="Weight of squared error on the nose-and-mouth band, against its L1 (0: none): draws nostrils "
        "and folds faint where L1 leaves them out.",
    ),
    detail: float = typer.Option(1.0, "--detail", min=0.0, help="Weight of the fine-detail term beside L1."),
    colour: float = typer.Option(
        0.0,
        "--colour",
        min=0.0,
        help="Weight of the colour term: the chroma of 8 x 8 px cells, hair and jersey counted as the face.",
    ),
    eye_colour: float = typer.Option(
        0.0,
        "--eye-colour",
        min=0.0,
        help="Weight of the eye-colour term: the colour of each eye's dark pixels, iris and pupil "
        "(0: none; without it no eye is drawn blue).",
    ),
    top_width: int = typer.Option(
        0,
        "--top-width",
        min=0,
        help="Channels of the last stage, at the size it draws (0: 32 at 128 px); --init from a narrower "
        "renderer widens it, drawing the same at first.",
    ),
    checkpoint_every: int = typer.Option(500, "--checkpoint-every", help="Steps between checkpoints, log lines and sheets."),
    learning_rate: float = typer.Option(5e-4, "--learning-rate", help="Adam's learning rate (constant)."),
    seed: int = typer.Option(0, "--seed", help="Seed of initial weights and batches."),
    init: Optional[Path] = typer.Option(
        None,
        "--init",
        help="Start a new run from a renderer's weights: a .keras model or a run folder's last checkpoint "
        "(say at a lower --learning-rate, or with a wider --top-width).",
        show_default=False,
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No log lines; only errors."),
) -> None:
    """Train the renderer: the painter's traits in, the painted portrait out. Run the same command again to resume."""
    from facepack.generator.renderer.loop import RendererSettings, check_data, init_model, train_renderer

    check_data(data, size)  # before TensorFlow loads: a wrong folder is told in a second
    if init is not None:
        init_model(init)
    from facepack.core.quiet import import_keras

    import_keras()
    settings = RendererSettings(
        size=size,
        batch=batch_size,
        steps=steps,
        steps_per_epoch=checkpoint_every,
        learning_rate=learning_rate,
        face_weight=face_weight,
        eye_weight=eye_weight,
        mouth_weight=mouth_weight,
        mouth_detail=mouth_detail,
        mouth_squared=mouth_squared,
        detail=detail,
        colour=colour,
        eye_colour=eye_colour,
        top_width=top_width,
        seed=seed,
    )
    command = "facepack train renderer " + " ".join(sys.argv[3:])
    train_renderer(data, out_dir, settings, log=_log(quiet), command=command, init=init)


@train_app.command("upsampler")
def train_upsampler_cmd(
    data: Path = typer.Argument(..., metavar="DATA", help="Dataset folder (from `facepack dataset`).", show_default=False),
    out_dir: Path = typer.Option(
        ..., "--out", "-o", help="Run folder: checkpoint, log.csv, the exported model.", show_default=False
    ),
    steps: int = typer.Option(3000, "--steps", help="Training steps (batches)."),
    batch_size: int = typer.Option(16, "--batch-size", help="Crops per step."),
    crop: int = typer.Option(96, "--crop", help="Side of a training crop at the dataset's size (px, a multiple of 4)."),
    detail: float = typer.Option(
        1.0,
        "--detail",
        min=0.0,
        help="Weight of the fine-detail term beside L1 (0: L1 alone, which smears what it cannot place).",
    ),
    blur: float = typer.Option(1.0, "--blur", min=0.0, help="Most extra blur of a training question (sigma, px at half size)."),
    photos: float = typer.Option(
        0.0,
        "--photos",
        min=0.0,
        max=1.0,
        help="Share of crops cut from the photographs of the photos extra instead of the portraits.",
    ),
    checkpoint_every: int = typer.Option(250, "--checkpoint-every", help="Steps between checkpoints (and log lines)."),
    learning_rate: float = typer.Option(1e-3, "--learning-rate", help="Peak learning rate (cosine decay)."),
    seed: int = typer.Option(0, "--seed", help="Seed of initial weights and crops."),
    init: Optional[Path] = typer.Option(
        None, "--init", help="Start from this .keras upsampler's weights (fine-tuning).", show_default=False
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No log lines; only errors."),
) -> None:
    """Train the upsampler that doubles the learned generator's faces. Run the same command again to resume."""
    from facepack.core.quiet import import_keras

    import_keras()
    from facepack.generator.upsampler.train import UpsamplerSettings, train_upsampler

    settings = UpsamplerSettings(
        crop=crop,
        batch=batch_size,
        steps=steps,
        steps_per_epoch=checkpoint_every,
        learning_rate=learning_rate,
        detail=detail,
        blur=blur,
        seed=seed,
        photos=photos,
    )
    command = "facepack train upsampler " + " ".join(sys.argv[3:])
    train_upsampler(data, out_dir, settings, init=init, log=_log(quiet), command=command)


def _must_exist(kind: str, model: str) -> None:
    """A model named by path that is not there is told before TensorFlow loads (seconds)."""
    if model != "default" and not Path(model).exists():
        raise FacepackError(f"{kind} model {model} not found")


@evaluate_app.command("segmenter")
def evaluate_segmenter_cmd(
    model: str = typer.Argument(
        ...,
        metavar="MODEL",
        help="A .keras segmenter, 'default' (the shipped one), 'selfie' (MediaPipe's) or 'chroma'.",
        show_default=False,
    ),
    data: Path = typer.Argument(..., metavar="DATA", help="Dataset folder; its test split is used.", show_default=False),
    limit: Optional[int] = typer.Option(None, "--limit", help="Use only the first N test images.", show_default=False),
    card: bool = typer.Option(True, "--card/--no-card", help="Write the metrics into the model's card."),
) -> None:
    """IoU, boundary distance and edge spill against the colour key, at the output resolution; then
    held-out subjects on held-out photographs and real people (with the photos extra)."""
    import json

    from facepack.core.quiet import import_keras
    from facepack.generator.base import UI_BLUE
    from facepack.segmenter import load_segmenter
    from facepack.segmenter.evaluate import evaluate_segmenter

    if model in ("chroma", "selfie"):
        seg = load_segmenter(model, background=UI_BLUE)
    else:
        _must_exist("segmenter", model)
        import_keras()
        try:
            seg = load_segmenter("learned", background=UI_BLUE, model=None if model == "default" else Path(model))
        except (FileNotFoundError, ValueError) as e:
            raise FacepackError(str(e)) from None
    metrics = evaluate_segmenter(seg.matte, data, limit=limit)
    out.print(json.dumps(metrics, indent=2), markup=False, soft_wrap=True)
    if card and model != "chroma":
        from facepack.core.modelcard import update_metrics

        update_metrics(seg.path, metrics)
        err.print(f"metrics written to {seg.path.with_suffix('.json')}", markup=False, soft_wrap=True)


@evaluate_app.command("upsampler")
def evaluate_upsampler_cmd(
    model: str = typer.Argument(
        ..., metavar="MODEL", help="A .keras upsampler, or 'default' (the shipped one).", show_default=False
    ),
    data: Path = typer.Argument(..., metavar="DATA", help="Dataset folder; its test split is used.", show_default=False),
    limit: Optional[int] = typer.Option(None, "--limit", help="Use only the first N test images.", show_default=False),
    card: bool = typer.Option(True, "--card/--no-card", help="Write the metrics into the model's card."),
) -> None:
    """Held-out portraits halved and doubled back by the model and by a cubic filter: error and sharpness against the
    portrait; the same on the photographs of people where the photos extra is installed."""
    import json

    from facepack.core.quiet import import_keras

    _must_exist("upsampler", model)
    keras = import_keras()
    import facepack.generator.upsampler.model  # noqa: F401  (registers the loss)
    from facepack.generator.learned import default_upsampler_path
    from facepack.generator.upsampler.evaluate import evaluate_upsampler

    path = default_upsampler_path() if model == "default" else Path(model)
    metrics = evaluate_upsampler(keras.saving.load_model(path, compile=False), data, limit=limit)
    out.print(json.dumps(metrics, indent=2), markup=False, soft_wrap=True)
    if card:
        from facepack.core.modelcard import update_metrics

        update_metrics(path, metrics)
        err.print(f"metrics written to {path.with_suffix('.json')}", markup=False, soft_wrap=True)


@evaluate_app.command("generator")
def evaluate_generator_cmd(
    model: str = typer.Argument(
        ...,
        metavar="MODEL",
        help="A .keras generator (from `facepack train generator`) or 'default' (the shipped one).",
        show_default=False,
    ),
    data: Path = typer.Argument(
        ...,
        metavar="DATA",
        help="Dataset folder: its test split is the real side, its train split teaches the label classifier.",
        show_default=False,
    ),
    samples: int = typer.Option(1000, "--samples", help="Generated faces to judge."),
    psi: float = typer.Option(
        DEFAULT_PSI, "--psi", help="Truncation, as build uses it: the faces the condition and near-duplicate measures judge."
    ),
    c2st_psi: float = typer.Option(
        1.0,
        "--c2st-psi",
        help="Truncation for the headline two-sample test (1.0: the distribution the model learned, as StyleGAN's FID is measured); the test at --psi is reported beside.",
    ),
    card: bool = typer.Option(True, "--card/--no-card", help="Write the metrics into the model's card."),
    players: int = typer.Option(
        600,
        "--players",
        help="Held-out players drawn by both this model and the painter for the side-by-side measures "
        "(sharpness, look-alikes, grey/blond/beard/bald by age); 0 leaves them out.",
    ),
    early: Optional[Path] = typer.Option(
        None,
        "--early",
        help="An early checkpoint's export: its two-sample test is reported beside (it should be near 1).",
        show_default=False,
    ),
) -> None:
    """Classifier two-sample test, condition accuracy and near-duplicate rate; then the same held-out
    players through this model and the painter: sharpness, look-alikes and attributes by age."""
    import json

    from facepack.core.quiet import import_keras

    _must_exist("generator", model)
    if early is not None:
        _must_exist("generator", str(early))
    import_keras()
    from facepack.core.modelcard import read_card
    from facepack.generator.evaluate import c2st_of, evaluate_generator
    from facepack.generator.learned import LearnedGenerator

    try:
        gen = LearnedGenerator(None if model == "default" else Path(model), psi=psi)
        first = LearnedGenerator(early, psi=c2st_psi) if early is not None else None
    except FileNotFoundError as e:
        raise FacepackError(str(e)) from None
    metrics = evaluate_generator(gen, data, samples=samples, c2st_psi=c2st_psi)
    if players:
        from facepack.generator import load_generator
        from facepack.generator.measures import side_by_side

        painter = load_generator("painter", size=gen.size)
        metrics["side_by_side"] = side_by_side(
            import_keras(),
            lambda reqs: [p.image for p in gen.generate(reqs)],
            lambda reqs: [p.image for p in painter.generate(reqs)],
            count=players,
            paired=gen.traits_known,  # told the painter's traits: the painter's own player, feature by feature
        )
        # Which second stage drew the faces it measured (generator/upsampler), None: the cubic filter.
        metrics["side_by_side"]["upsampler"] = gen.upsampler_path.name if gen.upsampler_path else None
    if first is not None:
        metrics["early_checkpoint"] = {
            "model": str(early),
            "steps": read_card(early).get("steps"),
            "c2st_accuracy": c2st_of(first, data, samples=samples),
        }
    out.print(json.dumps(metrics, indent=2), markup=False, soft_wrap=True)
    if card:
        from facepack.core.modelcard import update_metrics

        update_metrics(gen.path, metrics)
        err.print(f"metrics written to {gen.path.with_suffix('.json')}", markup=False, soft_wrap=True)


@app.command(rich_help_panel="Packs")
def cutout(
    inputs: List[Path] = typer.Argument(
        ...,
        metavar="IMAGE_OR_DIR",
        help="Images, or folders of images (PNG, JPEG, WebP, BMP, TIFF, TGA, GIF).",
        show_default=False,
    ),
    out_dir: Path = typer.Option(
        ..., "--out", "-o", help="Folder for the results: one PNG per input, same name.", show_default=False
    ),
    background: str = typer.Option("transparent", "--background", "-b", help="transparent (RGBA), ui (the EHM blue) or #RRGGBB."),
    only_mask: bool = typer.Option(False, "--only-mask", help="Write the alpha matte (grey PNG) instead of the cut-out."),
    segmenter: str = typer.Option(
        "selfie",
        "--segmenter",
        help="selfie (MediaPipe's person model, best on photographs), learned (the shipped model, best on generated "
        "faces) or chroma (colour key on the border colour).",
    ),
    segmenter_model: Optional[Path] = SEGMENTER_MODEL,
    batch_size: int = typer.Option(8, "--batch-size", help="Images per batch."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace results already in --out."),
    quiet: bool = QUIET,
) -> None:
    """Cut the background out of portraits: a transparent PNG (or the matte) per input."""
    from facepack.compose import parse_background
    from facepack.cutout import check_outputs, collect_inputs, cut_out, open_segmenter
    from facepack.profiles import load_profile

    bg = parse_background(background, load_profile("ehm"))
    files = collect_inputs(inputs)
    check_outputs(files, out_dir, overwrite)
    segment = open_segmenter("learned" if segmenter_model else segmenter, segmenter_model)
    progress = Progress(
        TextColumn("[bold]images"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, disable=quiet
    )
    with progress:
        task = progress.add_task("images", total=len(files))
        results = cut_out(
            files,
            out_dir,
            segment,
            bg,
            only_mask=only_mask,
            overwrite=overwrite,
            batch_size=max(1, batch_size),
            on_item=lambda r: progress.advance(task),
        )
    if not quiet:
        for r in results:
            if r.status == "skipped":
                err.print(shown(f"{r.source}: skipped: {r.reason}"), markup=False, soft_wrap=True)
    counts = {k: sum(1 for r in results if r.status == k) for k in ("written", "kept", "skipped")}
    out.print(
        shown(f"written {counts['written']}, kept {counts['kept']}, skipped {counts['skipped']}: {out_dir}"),
        markup=False,
        soft_wrap=True,
    )


@app.command(rich_help_panel="Models")
def models(
    paths: List[Path] = typer.Argument(None, metavar="MODEL", help="More .keras models to describe.", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Print the cards as JSON."),
) -> None:
    """The default models and any given ones, with their model cards."""
    import json

    from facepack.catalogue import describe, model_entries

    entries = model_entries(paths or [])
    if as_json:
        out.print(json.dumps(entries, indent=2, ensure_ascii=False), markup=False, soft_wrap=True)
        return
    for e in entries:
        out.print(shown(describe(e)), markup=False, soft_wrap=True)


@app.command(rich_help_panel="Packs")
def morph(
    roster: Path = typer.Argument(..., metavar="ROSTER", help="The league export the two players are in.", show_default=False),
    from_player: str = typer.Option(..., "--from", help="A player: ID, 'First Last' or file name.", show_default=False),
    to_player: str = typer.Option(..., "--to", help="Another player.", show_default=False),
    frames: int = typer.Option(8, "--frames", help="Frames in the strip, both ends included."),
    out_file: Path = typer.Option(Path("morph.png"), "--out", "-o", help="The strip PNG to write."),
    generator: str = typer.Option(
        DEFAULT_GENERATOR, "--generator", help="painter (blends the two looks) or learned (walks the latent space)."
    ),
    generator_model: Optional[Path] = GENERATOR_MODEL,
    psi: float = PSI,
    game: Optional[str] = GAME,
    season: Optional[str] = SEASON,
    seed: int = typer.Option(0, "--seed", help="The pack seed the faces come from."),
    include_staff: bool = INCLUDE_STAFF,
    columns: Optional[str] = COLUMNS,
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace --out if it exists."),
    quiet: bool = QUIET,
) -> None:
    """The walk from one player's face to another's, as a strip of frames (for 'family' faces)."""
    from facepack.core import atomic
    from facepack.morph import find_player, morph_frames, strip
    from facepack.players import face_request
    from facepack.profiles import load_profile
    from facepack.roster import game_for, parse_columns, read_roster

    if out_file.exists() and not overwrite:
        raise FacepackError(f"{out_file} exists; --overwrite replaces it")
    when = _season(season)
    profile = load_profile(game_for(roster, game))
    players = read_roster(
        roster,
        season=when,
        include_staff=include_staff,
        columns=parse_columns(columns),
        need_birth_date=profile.requires_birth_date,
    )
    a, b = (face_request(find_player(players, k), when, seed) for k in (from_player, to_player))
    pictures = morph_frames(a, b, frames, "learned" if generator_model else generator, generator_model, psi)
    atomic.write_png(out_file.resolve(), strip(pictures, profile.size))
    if not quiet:
        err.print(shown(f"from {from_player} to {to_player}"), markup=False, soft_wrap=True)
    out.print(shown(f"{frames} frames: {out_file}"), markup=False, soft_wrap=True)


@app.command(rich_help_panel="Packs")
def validate(
    pack: Path = typer.Argument(..., metavar="PACK", help="A pack folder (made by build, or any facepack).", show_default=False),
    roster: Optional[Path] = typer.Option(
        None,
        "--roster",
        help="The export the pack is for: which of its players the game will find a face for.",
        show_default=False,
    ),
    game: Optional[str] = PACK_GAME,
    season: Optional[str] = SEASON,
    include_staff: bool = INCLUDE_STAFF,
    columns: Optional[str] = COLUMNS,
    quiet: bool = QUIET,
) -> None:
    """Check a pack by the game's own rules before a release: exit 1 when something would not work in the game."""
    from facepack.roster import parse_columns, read_roster
    from facepack.validate import pack_profile, validate_pack

    profile = pack_profile(pack, game)
    players = None
    if roster is not None:
        players = read_roster(
            roster,
            season=_season(season),
            include_staff=include_staff,
            columns=parse_columns(columns),
            need_birth_date=profile.requires_birth_date,
        )
    result = validate_pack(pack, profile, players)
    if not quiet:
        for f in result.findings[:SHOWN]:
            out.print(shown(f"{f.severity}: {f.where}: {f.problem}"), markup=False, soft_wrap=True)
        if len(result.findings) > SHOWN:
            out.print(f"... and {len(result.findings) - SHOWN} more", markup=False, soft_wrap=True)
    out.print(shown(result.summary()), markup=False, soft_wrap=True)
    if result.errors:
        raise typer.Exit(1)


@app.command(rich_help_panel="Packs")
def workshop(
    pack: Path = typer.Argument(..., metavar="PACK", help="The pack folder to release.", show_default=False),
    title: str = typer.Option(..., "--title", help="The Workshop item's title (at most 128 characters).", show_default=False),
    description: Optional[str] = typer.Option(
        None,
        "--description",
        help="The item's description (at most 8,000 characters). [default: how many faces, for which export, made how, how to install]",
        show_default=False,
    ),
    description_file: Optional[Path] = typer.Option(
        None, "--description-file", help="Read the description from a UTF-8 text file.", show_default=False
    ),
    changenote: Optional[str] = typer.Option(
        None,
        "--changenote",
        help="The release's change note. [default: faces added, remade and removed since the last release]",
        show_default=False,
    ),
    visibility: str = typer.Option("public", "--visibility", help="public, friends, private or unlisted."),
    item_id: Optional[str] = typer.Option(
        None,
        "--item-id",
        help="Update this Workshop item (a pack first published elsewhere). [default: the one this pack was released as, else a new item]",
        show_default=False,
    ),
    app_id: Optional[int] = typer.Option(
        None, "--app-id", help="The game's Steam app id. [default: the profile's; EHM 301120]", show_default=False
    ),
    game: Optional[str] = PACK_GAME,
    upload: bool = typer.Option(
        False, "--upload", help="Run steamcmd to publish it (it asks for the password and Steam Guard code itself)."
    ),
    steam_user: Optional[str] = typer.Option(None, "--steam-user", help="Steam account name for --upload.", show_default=False),
    force: bool = typer.Option(
        False, "--force", help="Release even when `facepack validate` finds problems the game would have."
    ),
) -> None:
    """Stage a Steam Workshop release beside the pack (content, preview, steamcmd item file); --upload publishes it."""
    from facepack.validate import pack_profile, validate_pack
    from facepack.workshop import ReleaseOptions, stage
    from facepack.workshop import upload as run_upload

    if description is not None and description_file is not None:
        raise FacepackError("give --description or --description-file, not both")
    if description_file is not None:
        try:
            description = description_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise FacepackError(f"--description-file {description_file}: cannot read it ({e})") from None
    if upload and not steam_user:
        raise FacepackError("--upload needs --steam-user USER (steamcmd asks for the password itself)")
    profile = pack_profile(pack, game)
    problems = len(validate_pack(pack, profile).errors)
    opts = ReleaseOptions(
        pack=pack,
        title=title,
        description=description,
        changenote=changenote,
        visibility=visibility,
        item_id=item_id,
        app_id=app_id,
        force=force,
    )
    release = stage(opts, profile, problems)
    err.print(
        f"staged {release.faces} faces for {'a new item' if release.item_id == '0' else 'item ' + release.item_id}: "
        f"{release.changenote}",
        markup=False,
        soft_wrap=True,
    )
    if upload:
        published = run_upload(release, pack.resolve(), steam_user or "")
        err.print(f"published: https://steamcommunity.com/sharedfiles/filedetails/?id={published}", markup=False, soft_wrap=True)
    else:
        err.print(f"to publish: {' '.join(release.command(steam_user or 'USER'))}", markup=False, soft_wrap=True)
    out.print(shown(release.folder), markup=False, soft_wrap=True)


@app.command(rich_help_panel="Packs")
def games() -> None:
    """List the game profiles: file naming, folders, portrait size and default background."""
    from facepack.profiles import load_profile, profile_names

    for n in profile_names():
        p = load_profile(n)
        stem = p.file_name.replace("{", "").replace("}", "").replace("first", "First").replace("last", "Last")
        stem = stem.upper() if p.requires_id else stem.replace("_d_m_", "_D_M_").replace("yyyy", "YYYY")
        where = f"{p.players_folder}/" if p.players_folder else ""
        staff = f", staff in {p.staff_folder}/" if p.staff_folder and p.staff_folder != p.players_folder else ""
        config = f", config.xml ({p.config_default} IDs)" if p.config_xml else ", no config.xml (matched by file name)"
        out.print(
            f"{p.name:5} {p.title}: {where}{stem}{p.extension}{staff}, {p.size[0]}x{p.size[1]}, "
            f"background {p.background}{config}",
            markup=False,
            soft_wrap=True,
        )


def main() -> None:
    try:
        app()
    except FacepackError as e:
        err.print(shown(f"error: {e}"), markup=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print(
            "interrupted: portraits written so far are complete; run the same command again to finish the pack",
            markup=False,
            soft_wrap=True,
        )
        sys.exit(130)
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        err.print(shown(f"error: {where}{e.strerror or e}"), markup=False, soft_wrap=True)
        sys.exit(1)
