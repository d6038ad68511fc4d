"""`facepack workshop`: a release staged as steamcmd wants it, published through a stand-in steamcmd."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import write_roster
from PIL import Image

from facepack.build import build_pack
from facepack.core.errors import FacepackError
from facepack.profiles import load_profile
from facepack.workshop import (
    PREVIEW_LIMIT,
    ReleaseOptions,
    change_note,
    preview_image,
    read_item_id,
    stage,
)

EHM = load_profile("ehm")

# What the real steamcmd does with +workshop_build_item: read the item file, publish, and write a new
# item's id back into it. This one also records its arguments and what it read.
STAND_IN = r"""#!{python}
import json, re, sys
from pathlib import Path
args = sys.argv[1:]
log = Path({log!r})
vdf = Path(args[args.index("+workshop_build_item") + 1])
text = vdf.read_text(encoding="utf-8")
fields = dict(re.findall(r'^\t"(\w+)"\t\t"(.*?)"$', text, re.M | re.S))
calls = json.loads(log.read_text()) if log.exists() else []
calls.append({{"args": args, "fields": fields, "content": sorted(str(p.relative_to(fields["contentfolder"]))
              for p in Path(fields["contentfolder"]).rglob("*") if p.is_file())}})
log.write_text(json.dumps(calls))
if fields["publishedfileid"] == "0":
    vdf.write_text(text.replace('"publishedfileid"\t\t"0"', '"publishedfileid"\t\t"3141592653"'), encoding="utf-8")
"""


def facepack(*args, path_dir=None):
    env = dict(os.environ, COLUMNS="200")
    if path_dir is not None:
        env["PATH"] = f"{path_dir}{os.pathsep}{env['PATH']}"
    else:
        env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if not (Path(p) / "steamcmd").exists())
    return subprocess.run([sys.executable, "-m", "facepack", *map(str, args)], capture_output=True, text=True, env=env)


@pytest.fixture
def steamcmd(tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "steamcmd.json"
    script = folder / "steamcmd"
    script.write_text(STAND_IN.format(python=sys.executable, log=str(log)))
    script.chmod(0o755)
    return folder, log


def test_first_release_creates_the_second_updates(options, steamcmd, tmp_path):
    bin_dir, log = steamcmd
    pack = build_pack(options(include_staff=True)).pack
    first = facepack("workshop", pack, "--title", "Gulls faces", "--upload", "--steam-user", "modder", path_dir=bin_dir)
    assert first.returncode == 0, first.stderr
    folder = Path(first.stdout.strip().splitlines()[-1])  # the release folder, last on stdout
    assert folder == pack.parent / "league.workshop"
    [call] = json.loads(log.read_text())
    assert call["args"] == ["+login", "modder", "+workshop_build_item", str(folder / "workshop_item.vdf"), "+quit"]
    fields = call["fields"]
    assert fields["appid"] == "301120" and fields["publishedfileid"] == "0" and fields["visibility"] == "0"
    assert Path(fields["contentfolder"]).is_absolute() and Path(fields["previewfile"]).is_absolute()
    assert fields["changenote"] == "First release: 5 faces."
    assert "5 generated player faces" in fields["description"] and "facepack" in fields["description"]
    # Only what the game reads: no manifest, preview or records.
    assert sorted(call["content"]) == sorted(
        [
            "players/Oskar_Björk_3_1_2006.png",
            "players/Moritz_Weiß_3_1_1992.png",
            "players/Jack_Reilly_27_1_1999.png",
            "players/Chidi_Okafor_12_12_1987.png",
            "nonplayers/Gord_Pettersen_14_3_1961.png",
        ]
    )
    assert json.loads((pack / "workshop.json").read_text())["publishedfileid"] == "3141592653"
    assert "3141592653" in first.stderr

    # A player added and one face remade: the second release updates the same item and says so.
    build_pack(
        options(
            include_staff=True,
            roster=write_roster(
                tmp_path, "41000009,New,Guy,01.05.2001,FIN,Gulls,D,3,Player\n" + (options().roster).read_text(), "league.csv2"
            ),
            name="league",
        )
    )
    (pack / "players" / "Jack_Reilly_27_1_1999.png").unlink()
    build_pack(options(include_staff=True))  # Jack made again: same face, same bytes
    Image.new("RGB", (157, 200), (200, 10, 10)).save(pack / "players" / "Oskar_Björk_3_1_2006.png")
    second = facepack("workshop", pack, "--title", "Gulls faces", "--upload", "--steam-user", "modder", path_dir=bin_dir)
    assert second.returncode == 0, second.stderr
    update = json.loads(log.read_text())[1]["fields"]
    assert update["publishedfileid"] == "3141592653"
    assert update["changenote"] == "1 face added, 1 face remade; 6 faces in all."


def test_without_steamcmd_one_line_with_the_command(options):
    pack = build_pack(options()).pack
    r = facepack("workshop", pack, "--title", "Gulls", "--upload", "--steam-user", "modder")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    [line] = r.stderr.strip().splitlines()[-1:]
    assert "steamcmd is not installed" in line and "steamcmd +login modder +workshop_build_item" in line
    assert (pack.parent / "league.workshop" / "workshop_item.vdf").exists()  # staged, ready for the command


def test_item_id_updates_a_pack_published_elsewhere(options, tmp_path):
    pack = build_pack(options()).pack
    release = stage(ReleaseOptions(pack, "Gulls", item_id="777"), EHM, problems=0)
    assert read_item_id(release.vdf) == "777" and release.item_id == "777"


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(title="x" * 129), "at most 128"),
        (dict(title="  "), "needs a title"),
        (dict(title="ok", description="d" * 8001), "at most 8000"),
        (dict(title="ok", changenote="c" * 8001), "at most 8000"),
        (dict(title="ok", visibility="everyone"), "--visibility"),
        (dict(title="ok", item_id="abc"), "--item-id"),
    ],
)
def test_what_steam_would_refuse_is_refused_before_staging(options, kw, message):
    pack = build_pack(options()).pack
    with pytest.raises(FacepackError, match=message):
        stage(ReleaseOptions(pack, **kw), EHM, problems=0)
    assert not (pack.parent / "league.workshop").exists()


def test_empty_and_broken_packs_are_refused(options, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FacepackError, match="no portraits"):
        stage(ReleaseOptions(empty, "x"), EHM, problems=0)
    pack = build_pack(options()).pack
    with pytest.raises(FacepackError, match="problems the game would have"):
        stage(ReleaseOptions(pack, "x"), EHM, problems=2)
    stage(ReleaseOptions(pack, "x", force=True), EHM, problems=2)
    r = facepack("workshop", pack, "--title", "x", "--app-id", "1")
    assert r.returncode == 0
    Image.new("RGB", (400, 400)).save(pack / "players" / "Too_Big_1_1_2000.png")
    r = facepack("workshop", pack, "--title", "x")
    assert r.returncode == 2 and "1 problems" in r.stderr


def test_fm_release_holds_config_and_needs_an_app_id(options, tmp_path):
    roster = write_roster(tmp_path, "UID,Name\n11,Ann Lee\n12,Bo Ek\n", "fm.csv")
    pack = build_pack(options(roster=roster, game="fm")).pack
    fm = load_profile("fm")
    with pytest.raises(FacepackError, match="--app-id"):
        stage(ReleaseOptions(pack, "x"), fm, problems=0)
    release = stage(ReleaseOptions(pack, "x", app_id=2252570), fm, problems=0)
    assert sorted(p.name for p in release.content.iterdir()) == ["11.png", "12.png", "config.xml"]


def test_the_preview_of_a_big_pack_stays_under_a_megabyte(tmp_path):
    """A 3,000-face pack of noise portraits (the worst case for JPEG): 20 distinct pictures, each linked
    150 times, so the pack is real on disk without writing 3,000 files."""
    rng = np.random.default_rng(0)
    players = tmp_path / "players"
    players.mkdir()
    sources = []
    for k in range(20):
        src = tmp_path / f"source{k}.png"
        Image.fromarray(rng.integers(0, 255, (200, 157, 3), np.uint8)).save(src)
        sources.append(src)
    faces = []
    for i in range(3000):
        name = f"players/P{i}_X_1_1_2000.png"
        os.link(sources[i % 20], tmp_path / name)
        faces.append(name)
    data = preview_image(tmp_path, faces, EHM.ui_colour)
    assert len(data) < PREVIEW_LIMIT
    sheet = Image.open(__import__("io").BytesIO(data))
    assert sheet.size[0] == sheet.size[1] >= 512
    px = np.asarray(sheet.convert("RGB")).astype(int)
    assert px.std() > 20  # faces on it, not an empty sheet of UI blue (std < 10)


def test_change_note_counts():
    assert change_note(None, {"a": "1", "b": "2", "config.xml": "x"}) == "First release: 2 faces."
    assert change_note({"a": "1", "b": "2"}, {"a": "1", "b": "2"}) == "No faces changed (2 faces)."
    assert (
        change_note({"a": "1", "b": "2"}, {"a": "9", "c": "3"}) == "1 face added, 1 face remade, 1 face removed; 2 faces in all."
    )
