"""`facepack validate`: each problem the game would have, on packs made to have it."""

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import SEASON, write_roster
from PIL import Image

from facepack.build import build_pack
from facepack.profiles import load_profile
from facepack.roster import read_roster
from facepack.validate import guess_profile_name, validate_pack

EHM, FM = load_profile("ehm"), load_profile("fm")


def problems(result):
    found = {}
    for f in result.findings:
        found[(f.where, f.severity)] = " | ".join(filter(None, [found.get((f.where, f.severity)), f.problem]))
    return found


def check(pack, profile=EHM, roster=None):
    players = read_roster(roster, season=SEASON, need_birth_date=profile.requires_birth_date) if roster else None
    return validate_pack(pack, profile, players)


def test_a_built_pack_is_ready(options, small_roster):
    pack = build_pack(options()).pack
    result = check(pack, roster=small_roster)
    assert not result.errors and (result.faces, result.players, result.found) == (4, 4, 4)
    assert guess_profile_name(pack) == "ehm"


def test_each_problem_is_reported(options, small_roster):
    pack = build_pack(options()).pack
    players = pack / "players"
    (players / "Jack_Reilly_27_1_1999.png").rename(players / "Jack_Reilly_27_01_1999.png")  # padded: the game won't match
    (players / "Broken_Face_1_1_2000.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    Image.new("RGB", (400, 400)).save(players / "Too_Big_1_1_2000.png")
    Image.new("L", (157, 200)).save(players / "Grey_Scale_1_1_2000.png")
    Image.new("RGB", (157, 200)).save(players / "Jpeg_Inside_1_1_2000.png", format="JPEG")
    (players / "Chidi_Okafor_12_12_1987.png").rename(players / "Chidi_Okafor_12_12_1987.jpg")
    (players / "Twin_Face_2_2_2002.png").write_bytes((players / "Oskar_Björk_3_1_2006.png").read_bytes())
    (players / "no_date.png").write_bytes((players / "Moritz_Weiß_3_1_1992.png").read_bytes()[:100])
    Image.new("RGB", (157, 200)).save(pack / "Top_Level_1_1_2000.png")
    found = problems(check(pack, roster=small_roster))
    assert "leading zero" in found[("players/Jack_Reilly_27_01_1999.png", "error")]
    assert "Jack_Reilly_27_1_1999.png" in found[("players/Jack_Reilly_27_01_1999.png", "error")]
    assert "does not decode" in found[("players/Broken_Face_1_1_2000.png", "error")]
    assert "400x400" in found[("players/Too_Big_1_1_2000.png", "error")]
    assert "mode L" in found[("players/Grey_Scale_1_1_2000.png", "error")]
    assert "JPEG" in found[("players/Jpeg_Inside_1_1_2000.png", "error")]
    assert "not a .png" in found[("players/Chidi_Okafor_12_12_1987.jpg", "error")]
    assert "share one face" in found[("players/Twin_Face_2_2_2002.png", "error")]
    assert "not the game's form" in found[("players/no_date.png", "error")]
    assert "top level" in found[("Top_Level_1_1_2000.png", "error")]
    missing = [where for (where, sev), p in found.items() if "no face the game will find" in p]
    assert sorted(missing) == ["roster line 3", "roster line 5"]  # Jack (padded) and Chidi (.jpg)
    assert "matches no player" in found[("players/Twin_Face_2_2_2002.png", "warning")]


def test_two_pictures_for_one_person(options):
    pack = build_pack(options()).pack
    players = pack / "players"
    (players / "oskar_björk_03_01_2006.png").write_bytes(b"x")
    found = problems(check(pack))
    assert any("second picture for the person" in p for p in found.values())


def test_fm_config_problems(options, tmp_path):
    roster = write_roster(tmp_path, "UID,Name\n11,Ann Lee\n12,Bo Ek\n13,Cy Oz\n", "fm.csv")
    pack = build_pack(options(roster=roster, game="fm")).pack
    assert guess_profile_name(pack) == "fm"
    assert not check(pack, FM, roster).errors
    text = (pack / "config.xml").read_text(encoding="utf-8")
    text = text.replace(
        "</list>",
        '<record from="99" to="graphics/pictures/person/99/portrait"/>'
        '<record from="11" to="graphics/pictures/person/r-12/portrait"/></list>',
    )
    text = text.replace('<record from="13" to="graphics/pictures/person/r-13/portrait"/>', "")
    (pack / "config.xml").write_text(text, encoding="utf-8")
    found = problems(check(pack, FM, roster))
    assert "no such picture" in found[("config.xml", "error")]
    assert "two people" in found[("11.png", "error")]
    assert "no config.xml mapping" in found[("13.png", "error")]
    assert any(where.startswith("roster line") and "Cy Oz" in p for (where, _), p in found.items())
    (pack / "config.xml").write_text("<record><list>", encoding="utf-8")
    assert "not valid XML" in problems(check(pack, FM))[("config.xml", "error")]


def test_the_command_exits_non_zero_on_problems(options, small_roster):
    pack = build_pack(options()).pack
    env = dict(os.environ, COLUMNS="200")
    run = lambda *a: subprocess.run(
        [sys.executable, "-m", "facepack", "validate", str(pack), *map(str, a)],  # noqa: E731
        capture_output=True,
        text=True,
        env=env,
    )
    ok = run("--roster", small_roster, "--season", SEASON.isoformat())
    assert ok.returncode == 0 and ok.stdout.strip().endswith(str(pack)) and "4 of 4 players" in ok.stdout
    Image.fromarray(np.zeros((300, 300, 3), np.uint8)).save(pack / "players" / "Big_One_1_1_2000.png")
    bad = run()
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "error: players/Big_One_1_1_2000.png" in bad.stdout and "not ready" in bad.stdout.splitlines()[-1]
    nowhere = subprocess.run([sys.executable, "-m", "facepack", "validate", str(pack / "nope")], capture_output=True, text=True)
    assert nowhere.returncode == 2 and nowhere.stderr.startswith("error: ")


@pytest.mark.parametrize("size", [(20000, 20000)])
def test_huge_pictures_are_refused_unread(options, size, tmp_path):
    pack = build_pack(options()).pack
    # A PNG header claiming a huge picture: refused by its size, never decoded.
    Image.new("1", size).save(pack / "players" / "Huge_Face_1_1_2000.png", optimize=True)
    found = problems(check(pack))
    assert "larger than" in found[("players/Huge_Face_1_1_2000.png", "error")]
