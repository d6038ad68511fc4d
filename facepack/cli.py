"""The `facepack` command line."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from facepack import __version__
from facepack.errors import FacepackError

app = typer.Typer(
    help="Turn a sports-management game's database export into a finished facepack.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

SKIPPED_SHOWN = 20


def _version(value: bool) -> None:
    if value:
        print(f"facepack {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Turn a sports-management game's database export into a finished facepack."""


def _season(text: Optional[str]) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FacepackError(f"--season {text!r}: use YYYY-MM-DD (the in-game date)") from None


@app.command()
def build(
    roster: Path = typer.Argument(..., help="The league export: CSV (, ; or tab), headerless EHM layout or with a header row.", show_default=False),
    out_dir: Path = typer.Option(Path("packs"), "--out", "-o", help="Folder the pack folder is made in."),
    name: Optional[str] = typer.Option(None, "--name", help="Pack folder name. [default: the roster file's name]", show_default=False),
    game: str = typer.Option("ehm", "--game", "-g", help="Game profile: ehm (First_Last_DD_MM_YYYY.png) or fm (UID.png)."),
    generator: str = typer.Option("painter", "--generator", help="Face generator: painter (procedural)."),
    segmenter: str = typer.Option("chroma", "--segmenter", help="Background cut-out: chroma (colour key)."),
    background: Optional[str] = typer.Option(None, "--background", "-b", help="ui (the game's blue), transparent, or #RRGGBB. [default: the profile's]", show_default=False),
    season: Optional[str] = typer.Option(None, "--season", help="Game date YYYY-MM-DD that ages are computed at. [default: today]", show_default=False),
    seed: int = typer.Option(0, "--seed", help="Pick another set of faces for the whole pack."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace portraits already in the pack and start config.xml afresh."),
    existing: List[Path] = typer.Option([], "--existing", help="An installed facepack: players with a face there are skipped. Repeatable.", show_default=False),
    include_staff: bool = typer.Option(False, "--include-staff", help="Also build faces for Non-Player rows."),
    columns: Optional[str] = typer.Option(None, "--columns", help="Column overrides, e.g. first=Forename,last=Surname,dob=Born (or 0-based numbers).", show_default=False),
    batch_size: int = typer.Option(16, "--batch-size", help="Faces generated per batch."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or per-row reports; only the summary."),
) -> None:
    """Build (or complete) a facepack from a league export.

    Existing portraits in the pack are kept, so a re-run after an interruption finishes the pack.
    """
    from facepack.build import BuildOptions, build_pack
    from facepack.roster import parse_columns

    opts = BuildOptions(
        roster=roster, out=out_dir, season=_season(season), name=name, game=game, generator=generator,
        segmenter=segmenter, background=background, seed=seed, overwrite=overwrite, existing=tuple(existing),
        include_staff=include_staff, columns=parse_columns(columns), batch_size=batch_size,
    )
    progress = Progress(
        TextColumn("[bold]faces"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("eta"),
        TimeRemainingColumn(), console=err, disable=quiet, transient=False,
    )
    with progress:
        task = progress.add_task("faces", total=None)
        report = build_pack(
            opts,
            on_start=lambda total: progress.update(task, total=total),
            on_face=lambda _item: progress.advance(task),
        )
    if not quiet:
        skipped = report.skipped
        for row in skipped[:SKIPPED_SHOWN]:
            err.print(f"line {row.line}: skipped {row.name or '(no name)'}: {row.reason}", markup=False, soft_wrap=True)
        if len(skipped) > SKIPPED_SHOWN:
            err.print(f"... and {len(skipped) - SKIPPED_SHOWN} more skipped rows, see manifest.csv", markup=False, soft_wrap=True)
    out.print(
        f"built {report.count('built')}, kept {report.count('kept')}, skipped {report.count('skipped')}: {report.pack}",
        markup=False,
        soft_wrap=True,
    )


@app.command()
def games() -> None:
    """List the game profiles: file naming, portrait size and default background."""
    from facepack.profiles import load_profile, profile_names

    for n in profile_names():
        p = load_profile(n)
        stem = p.file_name.replace("{", "").replace("}", "").replace("first", "First").replace("last", "Last")
        out.print(f"{p.name:4} {p.title}: {stem.upper() if p.requires_id else stem}{p.extension}, "
                  f"{p.size[0]}x{p.size[1]}, background {p.background}", markup=False, soft_wrap=True)


def main() -> None:
    try:
        app()
    except FacepackError as e:
        err.print(f"error: {e}", markup=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted: portraits written so far are complete; run the same command again to finish the pack", markup=False, soft_wrap=True)
        sys.exit(130)
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        err.print(f"error: {where}{e.strerror or e}", markup=False, soft_wrap=True)
        sys.exit(1)
