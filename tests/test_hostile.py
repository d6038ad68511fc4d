"""Hostile input, concurrent runs and big pictures: no traceback, no lost pack, no runaway memory.

Each case was reproduced against facepack 0.1 (issue: "Hostile input, concurrent runs and big
photographs") and fails there.
"""

import os
import random
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from conftest import SEASON, SMALL_EHM, write_roster
from lxml import etree
from PIL import Image

from facepack.build import build_pack
from facepack.compose import Background
from facepack.core import atomic
from facepack.core.errors import FacepackError
from facepack.cutout import MAX_SIDE, by_border_colour, cut_out
from facepack.manifest import read_manifest


def facepack(*args, cwd=None, timeout=120):
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "facepack", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout
    )


def one_line_error(r, message):
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], r.stderr


def test_noncharacters_in_a_name_never_cost_the_pack(options, tmp_path):
    roster = write_roster(tmp_path, "UID,Name\n1,Ann\ufffeLee\n2,Bo\uffffEk\n3,Cy Oz\n", "fm.csv")
    report = build_pack(options(roster=roster, game="fm"))
    assert report.count("built") == 3
    root = etree.parse(str(report.pack / "config.xml")).getroot()
    assert len(root.find("list[@id='maps']")) == 3
    assert (report.pack / "manifest.csv").exists() and (report.pack / "preview.png").exists()
    ehm = write_roster(tmp_path, "1,Ann\ufffe,Lee\uffff,01.01.2000\n", "ehm.csv")
    assert sorted(p.name for p in (build_pack(options(roster=ehm)).pack / "players").iterdir()) == ["Ann_Lee_1_1_2000.png"]


def test_a_second_run_into_the_same_pack_stops_in_one_line(options):
    pack = options().out / "league"
    with atomic.exclusive(options().out / ".league.facepack-lock", "the pack"):
        with pytest.raises(FacepackError, match="another facepack run is writing the pack"):
            build_pack(options())
    assert not pack.exists() or not any(pack.rglob("*.png"))
    assert build_pack(options()).count("built") == 4


@pytest.mark.slow
def test_two_concurrent_builds_never_fail_or_corrupt(tmp_path):
    rows = "".join(f"{41000100 + i},Player{i},Name{i},01.0{1 + i % 9}.199{i % 10},SWE,,,,Player\n" for i in range(40))
    roster = write_roster(tmp_path, rows, "big.csv")
    args = [
        "build",
        roster,
        "--out",
        tmp_path / "packs",
        "--generator",
        "painter",
        "--segmenter",
        "chroma",
        "--season",
        SEASON.isoformat(),
        "--quiet",
    ]
    env = dict(os.environ, COLUMNS="200")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "facepack", *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in runs]
    for rc, _, err in results:
        assert "Traceback" not in err
        assert rc == 0 or (rc == 2 and "another facepack run" in err), err
    assert any(rc == 0 for rc, _, _ in results)
    again = facepack(*args)
    assert again.returncode == 0 and "built 0, kept 40" in again.stdout
    pack = tmp_path / "packs" / "big"
    for png in (pack / "players").iterdir():
        Image.open(png).verify()
    assert not list(pack.rglob(f"*{atomic.TMP_MARK}*"))


@pytest.mark.parametrize(
    "content, message",
    [
        ("First Name,Last Name,DOB\n", "no player rows"),
        ("First Name,Last Name,DOB\n" + "x" * 200_000 + ",Lee,01.01.2000\nAnn,Lee,01.01.2000\n", "built"),
    ],
)
def test_header_only_and_huge_fields(tmp_path, content, message):
    (tmp_path / "r.csv").write_text(content, encoding="utf-8")
    r = facepack("build", "r.csv", "--generator", "painter", "--segmenter", "chroma", "--quiet", cwd=tmp_path)
    if message == "built":
        assert r.returncode == 0 and "Traceback" not in r.stderr
    else:
        one_line_error(r, message)


def test_columns_with_non_ascii_digits(tmp_path):
    (tmp_path / "r.csv").write_text("1,Ann,Lee,01.01.2000\n", encoding="utf-8")
    one_line_error(facepack("build", "r.csv", "--columns", "dob=²", "--quiet", cwd=tmp_path), "--columns")


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="POSIX devices")
def test_devices_and_pipes_are_not_rosters(tmp_path):
    one_line_error(facepack("build", "/dev/zero", "--quiet", cwd=tmp_path, timeout=30), "not a regular file")
    os.mkfifo(tmp_path / "pipe.csv")
    one_line_error(facepack("build", "pipe.csv", "--quiet", cwd=tmp_path, timeout=30), "not a regular file")


@pytest.mark.parametrize(
    "stem, expected",
    [
        (unicodedata.normalize("NFD", "Liga Jönköping"), "Liga Jönköping"),
        ("what?", "what-"),
        (".hidden league", "hidden league"),
    ],
)
def test_roster_file_names_are_cleaned_not_blamed_on_name(options, tmp_path, stem, expected):
    roster = write_roster(tmp_path, SMALL_EHM, stem + ".csv")
    report = build_pack(options(roster=roster))
    assert report.pack.name == expected and report.count("built") == 4


def test_escape_sequences_never_reach_the_terminal(tmp_path):
    (tmp_path / "r.csv").write_text("1,Ev\x1b[2Jil,Lee,31.02.2000\n2,Bidi\u202eEvil,Ok,01.01.2000\n", encoding="utf-8")
    r = facepack("build", "r.csv", "--generator", "painter", "--segmenter", "chroma", cwd=tmp_path)
    assert r.returncode == 0 and "\x1b" not in r.stderr + r.stdout and "\u202e" not in r.stderr + r.stdout
    assert "line 1: skipped Ev?[2Jil Lee" in r.stderr


def test_a_dangling_link_at_a_portraits_name_is_kept(options):
    pack = build_pack(options()).pack
    target = pack / "players" / "Oskar_Björk_3_1_2006.png"
    target.unlink()
    target.symlink_to(pack / "nowhere.png")
    report = build_pack(options())
    assert target.is_symlink() and report.count("built") == 0


def test_no_raw_control_bytes_in_the_manifest(options, tmp_path):
    roster = write_roster(tmp_path, "1,Ann\x01,Lee\x7f,01.01.2000\n2,Bo,\x0bEk,31.02.2000\n", "ctl.csv")
    report = build_pack(options(roster=roster))
    data = (report.pack / "manifest.csv").read_bytes()
    assert not any(b < 32 and b not in (10, 13) for b in data) and b"\x7f" not in data


def test_duplicate_ids_are_reported_not_order_dependent(options, tmp_path):
    a = write_roster(tmp_path, "7,Ann,Lee,01.01.2000\n7,Bo,Ek,02.02.2002\n", "a.csv")
    report = build_pack(options(roster=a))
    [dup] = [r for r in report.rows if r.status == "skipped"]
    assert dup.name == "Bo Ek" and "same ID as line 1" in dup.reason


@pytest.mark.parametrize("psi", [float("nan"), float("inf"), -1.0, 3.0])
def test_psi_must_be_a_sane_number(options, psi):
    with pytest.raises(FacepackError, match="--psi"):
        build_pack(options(psi=psi))


def test_cutout_never_replaces_its_own_inputs(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.new("RGB", (60, 80), (31, 44, 56)).save(folder / "a.png")
    original = (folder / "a.png").read_bytes()
    r = facepack("cutout", folder, "--out", folder, "--overwrite", "--segmenter", "chroma")
    one_line_error(r, "replace the original")
    assert (folder / "a.png").read_bytes() == original


def test_sixteen_bit_grey_is_cut_out_as_what_it_shows(tmp_path):
    grey = np.full((300, 200), 8000, np.uint16)  # a dark grey background, 16-bit
    grey[120:, 50:150] = 60000  # a bright subject on the bottom edge
    Image.fromarray(grey).save(tmp_path / "g16.png")
    [res] = cut_out([tmp_path / "g16.png"], tmp_path / "out", by_border_colour, Background(None))
    px = np.asarray(Image.open(res.output))
    assert px[0, 0, 3] == 0 and px[-1, 100, 3] == 255  # background gone, subject kept: not one white sheet
    assert px[-1, 100, 0] > 200


def test_huge_pictures_are_worked_at_a_bounded_size(tmp_path):
    Image.new("L", (10000, 10000), 30).save(tmp_path / "huge.png")  # 100 MP, 100 KB on disk
    [res] = cut_out([tmp_path / "huge.png"], tmp_path / "out", by_border_colour, Background(None))
    assert res.status == "written"
    with Image.open(res.output) as im:
        assert max(im.size) == MAX_SIDE


def test_folder_entries_are_flushed_after_a_rename(tmp_path, monkeypatch):
    synced = []
    monkeypatch.setattr(atomic, "sync_folder", lambda folder: synced.append(folder))
    atomic.write_bytes(tmp_path / "a.png", b"x")
    assert synced == [tmp_path]


# --- seeded fuzz: rosters and pictures ---------------------------------------------------------

SCRIPTS = [
    "Åsa",
    "Jönköping",
    "Łukasz",
    "Øystein",
    "Ğökhan",
    "Дмитрий",
    "Νίκος",
    "李",
    "ﾊﾙﾄ",
    "محمد",
    "דוד",
    "Nguyễn",
    "e\u0301",
    "O'Neil",
    "Jean-Luc",
    "van der Berg",
    "Zoë",
]
HOSTILE = [
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\u200b",
    "\ufeff",
    "\ufffe",
    "\x85",
    "..",
    "/",
    "\\",
    "CON",
    "?",
    "*",
    '"',
    ",",
    ";",
    "\t",
    "\n",
    " ",
    "\u0301",
    "𝔘𝔫𝔦",
    "😀",
]


def _fuzz_name(rng: random.Random) -> str:
    parts = [rng.choice(SCRIPTS) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.5:
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(HOSTILE))
    text = "".join(parts)
    if rng.random() < 0.1:
        text = text * rng.randint(20, 200)  # field sizes
    return text


@pytest.mark.parametrize("seed", range(24))
def test_fuzzed_rosters_build_whole_packs(options, tmp_path, seed):
    rng = random.Random(seed)
    lines = []
    for _ in range(rng.randint(1, 6)):
        first, last = _fuzz_name(rng), _fuzz_name(rng)
        cells = [
            str(41000000 + rng.randrange(8)),
            first,
            last,
            f"{rng.randint(0, 32)}.{rng.randint(0, 13)}.{rng.randint(1950, 2012)}",
            rng.choice(["SWE", "CIV", "", "XYZ"]),
            "",
            "",
            "",
            rng.choice(["Player", "Non-Player", ""]),
        ]
        lines.append(",".join('"' + c.replace('"', '""') + '"' for c in cells))
    text = "\n".join(lines) + "\n"
    encoding = rng.choice(["utf-8", "utf-8-sig", "utf-16", "cp1252"])
    data = text.encode(encoding, errors="replace")
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        report = build_pack(options(roster=path, include_staff=bool(seed % 2), game=rng.choice(["ehm", "fm"])))
    except FacepackError as e:
        assert "\n" not in str(e)
        return
    rows = read_manifest(report.pack / "manifest.csv")
    for row in rows:
        if row["status"] in ("built", "kept") and row["file"]:
            path = report.pack / row["file"]
            assert path.parent.parent == report.pack or path.parent == report.pack
            name = path.name
            assert unicodedata.is_normalized("NFC", name) and not name.startswith(".")
            assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name)
            with Image.open(path) as im:
                im.verify()
        if encoding != "cp1252" and row["status"] == "built":
            assert "Ã" not in row["name"]  # never garbled into mojibake
    assert not list(report.pack.rglob(f"*{atomic.TMP_MARK}*"))


MODES = ["1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16", "F", "CMYK", "YCbCr"]


@pytest.mark.parametrize("seed", range(12))
def test_fuzzed_pictures_are_cut_out_or_skipped(tmp_path, seed):
    rng = np.random.default_rng(seed)
    files = []
    for i, mode in enumerate(MODES):
        w, h = int(rng.integers(1, 300)), int(rng.integers(1, 300))
        if seed == 0 and i == 0:
            w, h = 12000, 8000  # 96 MP
        base = Image.fromarray(rng.integers(0, 255, (h, w), dtype=np.uint8) if w * h < 1e6 else np.zeros((h, w), np.uint8))
        im = base.convert(mode) if mode not in ("I;16",) else Image.fromarray(np.asarray(base).astype(np.uint16) * 257)
        ext = (
            ".tif"
            if mode in ("I", "F", "CMYK", "YCbCr") and seed % 2
            else (".jpg" if mode in ("L", "RGB", "CMYK") and seed % 3 == 0 else ".png")
        )
        path = tmp_path / f"{i}_{mode.replace(';', '_')}{ext}"
        try:
            im.save(path)
        except (OSError, ValueError, KeyError):
            continue
        files.append(path)
    (tmp_path / "broken.png").write_bytes(bytes(rng.integers(0, 255, 300, dtype=np.uint8)))
    files.append(tmp_path / "broken.png")
    results = cut_out(files, tmp_path / "out", by_border_colour, Background((31, 44, 56)))
    assert {r.source for r in results} == set(files)
    for r in results:
        assert r.status in ("written", "skipped") and ("\n" not in r.reason)
        if r.status == "written":
            with Image.open(r.output) as im:
                assert im.mode == "RGB" and max(im.size) <= MAX_SIDE
    assert not list((tmp_path / "out").glob(f"*{atomic.TMP_MARK}*"))
