from datetime import date

import numpy as np
import pytest
from conftest import SEASON, write_roster
from PIL import Image

from facepack.core.errors import FacepackError
from facepack.core.records import load_arrays, read_split
from facepack.dataset.cleaning import birth_date_from_name, square_on_background
from facepack.dataset.make import DatasetOptions, make_dataset
from facepack.dataset.painted import painted_samples
from facepack.generator.base import UI_BLUE


def rgba_portrait(w=40, h=52, opaque=False, hidden=True):
    px = np.zeros((h, w, 4), np.uint8)
    px[..., :3] = (200, 150, 120)
    px[..., 3] = 255
    if hidden and not opaque:
        px[: h // 2, : w // 4, 3] = 0  # transparent background in a corner
        px[: h // 2, -w // 4 :, 3] = 0
    return Image.fromarray(px if not opaque else px[..., :3])


def test_painter_dataset_roundtrip(tmp_path):
    info = make_dataset(DatasetOptions(out=tmp_path / "d", painter=6, size=48, holdout=0.34, season=SEASON))
    assert info["splits"] == {"train": 4, "test": 2} and info["resolution"] == 48
    images, alphas, labels = load_arrays(tmp_path / "d", "train")
    assert images.shape == (4, 48, 48, 3) and images.dtype == np.uint8 and alphas.shape == (4, 48, 48)
    assert 0 <= alphas.min() and alphas.max() <= 1 and alphas.mean() > 0.2
    assert {l.age_group for l in labels} <= {"junior", "senior", "veteran"} and all(l.region for l in labels)
    assert {l.complexion for l in labels} <= {"fair", "medium", "dark"}
    first = next(painted_samples(1, 48, seed=0))
    assert np.array_equal(first.image, images[0])  # sample i is a function of (seed, i)
    assert np.array_equal(first.traits, labels[0].traits) and labels[0].traits.dtype == np.float32  # the painter's traits kept


def test_painting_in_processes_gives_the_same_portraits_in_order():
    one = list(painted_samples(6, 32, seed=3))
    two = list(painted_samples(6, 32, seed=3, workers=2))
    assert [s.source for s in two] == [s.source for s in one]
    for a, b in zip(one, two):
        assert np.array_equal(a.image, b.image) and np.array_equal(a.alpha, b.alpha)
        assert np.array_equal(a.traits, b.traits) and (a.age_group, a.nationality) == (b.age_group, b.nationality)


def test_community_portraits_have_no_traits(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    for i in range(3):
        rgba_portrait().save(pack / f"Ola_Nord{i}_1_2_2001.png")
    make_dataset(DatasetOptions(out=tmp_path / "d", folders=(pack,), size=32, holdout=0.0, season=SEASON))
    _, _, labels = load_arrays(tmp_path / "d", "train")
    assert labels and all(l.traits is None for l in labels)


def test_dataset_refuses_to_clobber(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    with pytest.raises(FacepackError, match="not empty"):
        make_dataset(DatasetOptions(out=tmp_path / "mine", painter=2, size=32))
    make_dataset(DatasetOptions(out=tmp_path / "d", painter=2, size=32))
    with pytest.raises(FacepackError, match="--overwrite"):
        make_dataset(DatasetOptions(out=tmp_path / "d", painter=2, size=32))
    make_dataset(DatasetOptions(out=tmp_path / "d", painter=3, size=32, overwrite=True, holdout=0.0))
    assert sum(1 for _ in read_split(tmp_path / "d", "train")) == 3


def test_facepack_cleaning_drops_what_it_should(tmp_path):
    pack = tmp_path / "installed" / "league"
    pack.mkdir(parents=True)
    rgba_portrait().save(pack / "Ann_Lee_01_02_2000.png")
    rgba_portrait().save(pack / "Old_Coach_01_02_1950.png")
    rgba_portrait(opaque=True).save(pack / "Bo_Ek_01_02_2001.png")
    rgba_portrait(hidden=False).save(pack / "Cy_Oz_01_02_2002.png")
    rgba_portrait().save(pack / "no_date_here.png")
    (pack / "Di_Um_01_02_2003.png").write_bytes(b"\x89PNG broken")
    roster = write_roster(tmp_path, "1,Ann,Lee,01.02.2000,SWE,,,,Player\n", "r.csv")
    info = make_dataset(
        DatasetOptions(
            out=tmp_path / "d", folders=(tmp_path / "installed",), size=32, season=SEASON, max_age=43, roster=roster, holdout=0.0
        )
    )
    assert info["kept"] == 1 and info["splits"]["train"] == 1
    assert set(info["dropped"]) == {
        "age 77 is over --max-age 43",
        "opaque (no alpha channel)",
        "alpha hides nothing (no transparent background)",
        "no birth date in the file name (…_D_M_YYYY)",
        "unreadable",
    }
    [sample] = list(read_split(tmp_path / "d", "train"))
    assert sample.nationality == "SWE" and sample.region == "nordic" and sample.age_group == "senior"
    report = (tmp_path / "d" / "report.csv").read_text(encoding="utf-8")
    assert report.count("dropped") == 5 and "Ann_Lee_01_02_2000.png,kept" in report


def test_square_padding_is_bottom_anchored_and_never_stretched():
    px = np.zeros((200, 100, 4), np.uint8)
    px[..., :3] = 250
    px[..., 3] = 255
    image, alpha = square_on_background(px, 50)
    assert image.shape == (50, 50, 3) and alpha.shape == (50, 50)
    assert alpha[:, :10].max() == 0 and alpha[:, -10:].max() == 0  # padded sides
    assert alpha[:, 20:30].min() > 0.99  # the subject runs full height, unstretched width
    assert tuple(image[0, 0]) == UI_BLUE


def test_birth_date_from_name():
    assert birth_date_from_name("Oskar_Björk_03_01_2006") == date(2006, 1, 3)
    assert birth_date_from_name("41000310") is None and birth_date_from_name("A_B_31_02_2000") is None


def test_shards_read_without_tensorflow_match_what_tensorflow_reads(tmp_path):
    import subprocess
    import sys

    import tensorflow as tf

    make_dataset(DatasetOptions(out=tmp_path / "d", painter=3, size=32, holdout=0.34, season=SEASON))
    [shard] = sorted((tmp_path / "d").glob("train-*.tfrecord"))
    spec = {k: tf.io.FixedLenFeature([], tf.string) for k in ("image", "age_group", "complexion", "source")}
    theirs = [tf.io.parse_single_example(r, spec) for r in tf.data.TFRecordDataset(str(shard))]
    ours = list(read_split(tmp_path / "d", "train"))
    assert len(ours) == len(theirs) == 2
    for o, t in zip(ours, theirs):
        assert np.array_equal(o.image, np.asarray(Image.open(__import__("io").BytesIO(t["image"].numpy())).convert("RGB")))
        assert (o.age_group, o.complexion, o.source) == tuple(
            t[k].numpy().decode() for k in ("age_group", "complexion", "source")
        )
    code = (
        f"import sys; from facepack.core.records import load_arrays; load_arrays({str(tmp_path / 'd')!r}, 'train'); "
        "assert 'tensorflow' not in sys.modules"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0  # a JAX-only machine can read the shards


def test_a_damaged_shard_is_one_clear_error(tmp_path):
    make_dataset(DatasetOptions(out=tmp_path / "d", painter=3, size=32, holdout=0.34, season=SEASON))
    [shard] = sorted((tmp_path / "d").glob("train-*.tfrecord"))
    shard.write_bytes(shard.read_bytes()[:-100])
    with pytest.raises(FacepackError, match="damaged"):
        load_arrays(tmp_path / "d", "train")
