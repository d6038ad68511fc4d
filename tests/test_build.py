from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import SMALL_EHM, write_roster
from lxml import etree
from PIL import Image

from facepack.build import build_pack
from facepack.core import atomic
from facepack.core.errors import FacepackError
from facepack.manifest import read_manifest

FACES = ["Oskar_Björk_3_1_2006.png", "Moritz_Weiß_3_1_1992.png", "Jack_Reilly_27_1_1999.png", "Chidi_Okafor_12_12_1987.png"]


def pngs(folder: Path) -> dict[str, bytes]:
    """Every portrait in a pack, whichever of its folders it is in, by file name."""
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*.png")) if p.name != "preview.png"}


def face(pack: Path, name: str) -> Path:
    return pack / "players" / name


def config_records(pack: Path) -> dict[str, str]:
    root = etree.parse(str(pack / "config.xml")).getroot()
    return {r.get("from"): r.get("to") for r in root.find("list[@id='maps']").findall("record")}


def test_builds_a_complete_ehm_pack(options):
    report = build_pack(options())
    pack = report.pack
    assert pack.name == "league" and sorted(pngs(pack)) == sorted(FACES)
    assert sorted(p.name for p in (pack / "players").iterdir()) == sorted(FACES)  # where EHM reads players
    assert (report.count("built"), report.count("kept"), report.count("skipped")) == (4, 0, 1)
    with Image.open(face(pack, FACES[0])) as im:
        assert im.size == (157, 200) and im.mode == "RGB"
        px = np.asarray(im)
    assert tuple(px[0, 0]) == (31, 44, 56) and tuple(px[0, -1]) == (31, 44, 56)
    assert (px[-1] != np.array([31, 44, 56])).any(axis=1).mean() > 0.6  # shoulders on the bottom edge
    assert not (pack / "config.xml").exists()  # EHM matches by file name and reads no config.xml
    manifest = read_manifest(pack / "manifest.csv")
    assert [r["line"] for r in manifest] == ["1", "2", "3", "4", "5"]
    assert manifest[3]["status"] == "skipped" and "Non-Player" in manifest[3]["reason"]
    assert manifest[0]["status"] == "built" and manifest[0]["age_group"] == "junior" and len(manifest[0]["seed"]) == 16
    assert manifest[0]["file"] == "players/Oskar_Björk_3_1_2006.png"
    with Image.open(pack / "preview.png") as im:
        assert im.width > 4 * 100


def test_fm_profile_names_by_uid_on_transparent(options, tmp_path):
    roster = write_roster(tmp_path, "UID,First Name,Last Name,DOB\n77,Ann,Lee,01.01.2000\n,No,Id,01.01.2001\n", "fm.csv")
    report = build_pack(options(roster=roster, game="fm"))
    assert sorted(pngs(report.pack)) == ["77.png"]
    with Image.open(report.pack / "77.png") as im:
        assert im.size == (250, 250) and im.mode == "RGBA"
        px = np.asarray(im)
    assert px[0, 0, 3] == 0 and px[-1, 125, 3] == 255
    assert config_records(report.pack) == {"77": "graphics/pictures/person/r-77/portrait"}  # FM24+: generated players
    [skipped] = report.skipped
    assert skipped.line == 3 and "no ID" in skipped.reason
    again = build_pack(options(roster=roster, game="fm", mapping="plain", out=tmp_path / "plain"))
    assert config_records(again.pack) == {"77": "graphics/pictures/person/77/portrait"}
    older = build_pack(options(roster=roster, game="fm23", out=tmp_path / "fm23"))
    assert config_records(older.pack) == {"77": "graphics/pictures/person/77/portrait"}


def test_fm_needs_an_id_column(options, tmp_path):
    roster = write_roster(tmp_path, "First Name,Last Name,DOB\nAnn,Lee,01.01.2000\n", "noid.csv")
    with pytest.raises(FacepackError, match="no ID column"):
        build_pack(options(roster=roster, game="fm"))


def test_background_option(options):
    report = build_pack(options(background="#ffffff"))
    with Image.open(face(report.pack, FACES[0])) as im:
        assert tuple(np.asarray(im)[0, 0]) == (255, 255, 255)


def test_rerun_is_byte_identical(options, tmp_path):
    a = build_pack(options(out=tmp_path / "a")).pack
    b = build_pack(options(out=tmp_path / "b")).pack
    assert pngs(a) == pngs(b)
    for name in ["manifest.csv", "preview.png"]:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_adding_a_player_changes_no_other_face(options, tmp_path):
    base = build_pack(options(out=tmp_path / "a")).pack
    bigger = write_roster(tmp_path, "41000009,New,Guy,01.05.2001,FIN,Gulls,D,3,Player\n" + SMALL_EHM, "league2.csv")
    more = build_pack(options(roster=bigger, out=tmp_path / "b", name="league")).pack
    old, new = pngs(base), pngs(more)
    assert set(new) == set(old) | {"New_Guy_1_5_2001.png"}
    assert all(new[k] == v for k, v in old.items())


def test_seed_picks_other_faces(options, tmp_path):
    a = pngs(build_pack(options(out=tmp_path / "a")).pack)
    b = pngs(build_pack(options(out=tmp_path / "b", seed=1)).pack)
    assert all(a[k] != b[k] for k in a)


def test_no_two_players_share_a_face(options):
    faces = pngs(build_pack(options()).pack)
    assert len(set(faces.values())) == len(faces)


def test_resume_after_a_run_killed_mid_way(options, tmp_path, monkeypatch):
    fresh = pngs(build_pack(options(out=tmp_path / "fresh")).pack)

    real = atomic.write_bytes
    calls = {"n": 0}

    def dying_write(path, data):
        calls["n"] += 1
        if calls["n"] == 3:  # killed while writing the third portrait
            (path.parent / f".{path.name}{atomic.TMP_MARK}k1lled_x").write_bytes(data[: len(data) // 2])  # what SIGKILL leaves
            raise KeyboardInterrupt
        real(path, data)

    monkeypatch.setattr(atomic, "write_bytes", dying_write)
    with pytest.raises(KeyboardInterrupt):
        build_pack(options(out=tmp_path / "killed"))
    monkeypatch.setattr(atomic, "write_bytes", real)
    pack = tmp_path / "killed" / "league"
    assert len(pngs(pack)) == 2 and not (pack / "manifest.csv").exists()
    for data in pngs(pack).values():
        Image.open(__import__("io").BytesIO(data)).verify()

    report = build_pack(options(out=tmp_path / "killed"))
    assert (report.count("built"), report.count("kept")) == (2, 2)
    assert pngs(pack) == fresh
    assert not list(pack.rglob("*facepack-tmp*"))
    assert len(read_manifest(pack / "manifest.csv")) == 5


def test_a_users_file_is_kept_unless_overwrite(options):
    pack = build_pack(options()).pack
    face(pack, FACES[1]).write_bytes(b"my own picture")
    report = build_pack(options())
    assert face(pack, FACES[1]).read_bytes() == b"my own picture"
    assert report.count("kept") == 4 and report.count("built") == 0
    build_pack(options(overwrite=True))
    assert face(pack, FACES[1]).read_bytes().startswith(b"\x89PNG")


def test_existing_facepacks_are_skipped(options, tmp_path):
    installed = tmp_path / "installed"
    (installed / "sub").mkdir(parents=True)
    (installed / "sub" / "oskar_björk_03_01_2006.JPG").write_bytes(b"x")  # other case, padding and extension
    (installed / "Moritz_Weiß_3_1_1992.png").write_bytes(b"x")  # a community pack's own form
    (installed / "config.xml").write_text(
        '<record><list id="maps"><record from="abc" to="graphics/pictures/person/r-41000003/portrait"/></list></record>'
    )
    report = build_pack(options(existing=(installed,)))
    assert sorted(pngs(report.pack)) == ["Chidi_Okafor_12_12_1987.png"]
    kept = {r.name: r.reason for r in report.rows if r.status == "kept"}
    assert set(kept) == {"Oskar Björk", "Moritz Weiß", "Jack Reilly"} and all(str(installed) in v for v in kept.values())


def test_community_files_are_matched_by_person_not_by_spelling(options, tmp_path):
    """Community packs write Mattias_Havelid_1_1_2004.png; an installed one must cover those players."""
    roster = write_roster(
        tmp_path,
        "1,Mattias,Havelid,01.01.2004\n2,Viliam,Kmec,02.01.2004\n3,Axel,Sandin Pellikka,11.03.2005\n4,New,Face,05.05.2005\n",
        "comm.csv",
    )
    installed = tmp_path / "community"
    installed.mkdir()
    for name in (
        "Mattias_Havelid_1_1_2004.png",
        "viliam_kmec_2_1_2004.PNG",
        "Axel_Sandin Pellikka_11_3_2005.png",
        "Mattias_Havelid_2_1_2004.png",
    ):  # the last: another man's birthday
        (installed / name).write_bytes(b"x")
    report = build_pack(options(roster=roster, existing=(installed,)))
    assert sorted(pngs(report.pack)) == ["New_Face_5_5_2005.png"]
    assert report.count("kept") == 3


def test_an_earlier_padded_pack_is_completed_not_duplicated(options, tmp_path):
    """facepack 0.1 wrote Oskar_Björk_03_01_2006.png at the pack's top level: those faces are the same
    people's, moved to the game's names and folder, never made again."""
    fresh = pngs(build_pack(options(out=tmp_path / "fresh")).pack)
    pack = tmp_path / "packs" / "league"
    pack.mkdir(parents=True)
    old_names = {
        "Oskar_Björk_3_1_2006.png": "Oskar_Björk_03_01_2006.png",
        "Moritz_Weiß_3_1_1992.png": "Moritz_Weiß_03_01_1992.png",
        "Jack_Reilly_27_1_1999.png": "Jack_Reilly_27_01_1999.png",
    }
    for new, old in old_names.items():
        (pack / old).write_bytes(fresh[new])
    (pack / "Someone_Else_1_1_2000.png").write_bytes(b"not ours to move")
    report = build_pack(options())
    assert (report.count("built"), report.count("kept")) == (1, 3)
    assert pngs(pack) == dict(fresh, **{"Someone_Else_1_1_2000.png": b"not ours to move"})
    assert not any((pack / old).exists() for old in old_names.values())
    assert (pack / "Someone_Else_1_1_2000.png").exists()
    rows = {r["name"]: r for r in read_manifest(pack / "manifest.csv")}
    assert rows["Oskar Björk"]["status"] == "kept" and rows["Oskar Björk"]["reason"] == "renamed from Oskar_Björk_03_01_2006.png"
    again = build_pack(options())
    assert (again.count("built"), again.count("kept")) == (0, 4)
    assert all(r.reason.startswith("already in the pack") for r in again.rows if r.status == "kept")


def test_padded_dates_on_request(options):
    report = build_pack(options(padded_dates=True))
    assert "Oskar_Björk_03_01_2006.png" in pngs(report.pack)


def test_staff_go_where_the_game_reads_them(options):
    report = build_pack(options(include_staff=True))
    assert sorted(p.name for p in (report.pack / "nonplayers").iterdir()) == ["Gord_Pettersen_14_3_1961.png"]
    assert "Gord_Pettersen_14_3_1961.png" not in {p.name for p in (report.pack / "players").iterdir()}
    # Chidi Okafor is Player/Non-Player: a player first.
    assert (report.pack / "players" / "Chidi_Okafor_12_12_1987.png").exists()


def test_missing_existing_folder_is_an_error(options, tmp_path):
    with pytest.raises(FacepackError, match="no such folder"):
        build_pack(options(existing=(tmp_path / "nope",)))


def test_duplicate_rows_are_built_once(options, tmp_path):
    roster = write_roster(tmp_path, "1,Ann,Lee,01.01.2000\n2,ANN,LEE,01.01.2000\n3,Bo,Ek,02.02.2002\n", "dup.csv")
    report = build_pack(options(roster=roster))
    assert len(pngs(report.pack)) == 2
    [dup] = report.skipped
    assert dup.line == 2 and "same file as line 1" in dup.reason


def test_rerun_merges_config_and_broken_config_stops_early(options, tmp_path):
    roster = write_roster(tmp_path, "UID,Name,Nat\n11,Ann Lee,SWE\n12,Bo Ek,FIN\n", "fm.csv")
    fm = lambda **kw: options(roster=roster, game="fm", **kw)  # noqa: E731
    pack = build_pack(fm()).pack
    text = (pack / "config.xml").read_text(encoding="utf-8")
    (pack / "config.xml").write_text(
        text.replace("</list>", '<record from="keep" to="graphics/pictures/person/9/portrait"/></list>'), encoding="utf-8"
    )
    build_pack(fm())
    assert "keep" in config_records(pack) and len(config_records(pack)) == 3
    build_pack(fm(overwrite=True))
    assert "keep" in config_records(pack) and len(config_records(pack)) == 3  # --overwrite remakes ours only

    (pack / "config.xml").write_text("<record><list>", encoding="utf-8")
    (pack / "11.png").unlink()
    with pytest.raises(FacepackError, match="not valid XML"):
        build_pack(fm())
    assert not (pack / "11.png").exists()  # refused before any work
    build_pack(fm(overwrite=True))  # a broken one is replaced when asked
    assert sorted(config_records(pack)) == ["11", "12"]


@pytest.mark.parametrize("name", ["../evil", "a/b", "..", ".hidden"])
def test_pack_name_cannot_escape_the_output_folder(options, name):
    with pytest.raises(FacepackError, match="--name"):
        build_pack(options(name=name))


def test_roster_with_no_usable_player(options, tmp_path):
    roster = write_roster(tmp_path, "1,Ann,Lee,31.02.2000\n", "bad.csv")
    with pytest.raises(FacepackError, match="no player could be read.*line 1: impossible"):
        build_pack(options(roster=roster))


def test_unknown_generator_and_profile(options):
    with pytest.raises(FacepackError, match="unknown generator"):
        build_pack(options(generator="stylegan9"))
    with pytest.raises(FacepackError, match="unknown game profile"):
        build_pack(options(game="nhl"))
    with pytest.raises(FacepackError, match="batch-size"):
        build_pack(replace(options(), batch_size=0))


@pytest.mark.slow
def test_the_shipped_learned_segmenter_builds_deterministically(options, tmp_path):
    """The default cut-out runs a network in fixed-size batches: no face may depend on its batch-mates."""
    from facepack.segmenter.learned import default_model_path

    assert default_model_path().exists(), "the learned segmenter ships inside the package"
    a = build_pack(options(out=tmp_path / "a", segmenter="learned", batch_size=3)).pack
    b = build_pack(options(out=tmp_path / "b", segmenter="learned", batch_size=3)).pack
    assert pngs(a) == pngs(b)
    bigger = write_roster(tmp_path, "41000009,New,Guy,01.05.2001,FIN,Gulls,D,3,Player\n" + SMALL_EHM, "league2.csv")
    c = build_pack(options(roster=bigger, out=tmp_path / "c", name="league", segmenter="learned", batch_size=3)).pack
    assert all(pngs(c)[k] == v for k, v in pngs(a).items())
    with Image.open(face(a, FACES[0])) as im:
        px = np.asarray(im)
    assert tuple(px[0, 0]) == (31, 44, 56) and (px[-1] != np.array([31, 44, 56])).any(axis=1).mean() > 0.6


def test_look_alike_faces_are_redrawn(options, tmp_path):
    """A generator that gives everyone the same first face: build must re-draw, deterministically,
    until no two players read as one person (likeness.SAME_PERSON)."""
    from facepack.build import Models
    from facepack.core.likeness import SAME_PERSON, distances, face_code
    from facepack.generator import load_generator
    from facepack.segmenter import load_segmenter

    painter = load_generator("painter", size=96)

    class SameFace:
        name, background = "same", painter.background

        def generate(self, requests):
            return painter.generate([r if r.variant else replace(r, seed=7, age=25.0, nationality="CAN") for r in requests])

    models = Models(SameFace(), load_segmenter("chroma", background=painter.background))
    report = build_pack(options(out=tmp_path / "a"), models=models)
    codes = [face_code(np.asarray(Image.open(face(report.pack, f)))) for f in FACES]
    d = distances(np.stack(codes).astype(np.float64))
    np.fill_diagonal(d, np.inf)
    assert d.min() >= SAME_PERSON
    rows = {r["name"]: r for r in read_manifest(report.pack / "manifest.csv")}
    assert rows["Oskar Björk"]["reason"] == ""
    assert all(rows[n]["reason"].startswith("re-drawn 1x") for n in ("Moritz Weiß", "Jack Reilly", "Chidi Okafor"))
    again = build_pack(options(out=tmp_path / "b"), models=models).pack
    assert pngs(again) == pngs(report.pack)


def test_a_face_that_stays_alike_keeps_the_least_alike_draw(options, tmp_path):
    """A generator with only two faces: the re-draws cannot escape, so build stops after MAX_REDRAWS,
    keeps the draw least like the pack and says so; it never loops or fails."""
    from facepack.build import MAX_REDRAWS, Models
    from facepack.generator import load_generator
    from facepack.segmenter import load_segmenter

    painter = load_generator("painter", size=96)

    class TwoFaces:
        name, background = "two", painter.background

        def generate(self, requests):
            return painter.generate([replace(r, seed=r.variant % 2, variant=0, age=25.0, nationality="CAN") for r in requests])

    models = Models(TwoFaces(), load_segmenter("chroma", background=painter.background))
    report = build_pack(options(out=tmp_path / "a"), models=models)
    reasons = [r["reason"] for r in read_manifest(report.pack / "manifest.csv") if r["status"] == "built"]
    stuck = [r for r in reasons if "the least alike, kept" in r]
    assert len(reasons) == 4 and len(stuck) == 2 and all(r.startswith(f"re-drawn {MAX_REDRAWS}x") for r in stuck)
