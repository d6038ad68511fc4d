"""The conditional StyleGAN plumbing with a tiny config (16 px, a few steps): not its quality."""

import json
from dataclasses import replace

import numpy as np
import pytest
from conftest import SEASON

from facepack.dataset.make import DatasetOptions, make_dataset
from facepack.generator.base import FaceRequest

TINY = dict(resolution=16, z_dim=16, w_dim=16, channel_base=128, channel_max=16, embed_dim=8)

# Model training and the shipped networks: minutes of CPU. CI runs them; plain `pytest` skips them.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from facepack.generator.stylegan.model import GanConfig
    from facepack.generator.stylegan.train import TrainSettings, train_generator

    data = tmp_path_factory.mktemp("data") / "painted"
    make_dataset(DatasetOptions(out=data, painter=12, size=32, holdout=0.25, season=SEASON))
    out = tmp_path_factory.mktemp("gan")
    settings = TrainSettings(steps=6, batch=4, checkpoint_every=3, sample_every=3, r1_every=2)
    export = train_generator(data, out, GanConfig(**TINY), settings, log=lambda m: None)
    return data, out, export, settings


def test_the_background_is_exact_where_the_matte_is_clear():
    from facepack.generator.base import UI_BLUE
    from facepack.generator.stylegan.model import Composite

    x = np.zeros((1, 2, 2, 4), np.float32)
    x[0, 0, 0] = [0.5, 0.5, 0.5, -40.0]  # alpha logit far below zero: background
    x[0, 1, 1] = [0.5, -0.2, 0.1, 40.0]  # far above: the painted colour
    out = np.asarray(Composite()(x))
    assert np.allclose((out[0, 0, 0, :3] + 1) * 127.5, UI_BLUE, atol=1e-3) and np.isclose(out[0, 0, 0, 3], -1.0)
    assert np.allclose(out[0, 1, 1], [0.5, -0.2, 0.1, 1.0], atol=1e-5)
    assert np.allclose(out[0, 0, 1, 3], 0.0)  # logit 0: half


def test_augmentation_moves_the_matte_but_never_recolours_it():
    import keras

    from facepack.generator.stylegan.diffaugment import diff_augment

    x = np.full((4, 16, 16, 4), 0.2, np.float32)
    x[..., 3] = 1.0
    out = np.asarray(diff_augment(keras.ops.convert_to_tensor(x), keras.random.SeedGenerator(3)))
    assert set(np.unique(out[..., 3]).round(5)) <= {0.0, 1.0}  # cut out or kept, never shifted in value
    assert not np.allclose(out[..., :3], 0.2)


def test_augment_share_leaves_the_rest_of_the_batch_as_it_is():
    import keras

    from facepack.generator.stylegan.diffaugment import diff_augment

    x = np.random.default_rng(0).uniform(-1, 1, (64, 8, 8, 4)).astype(np.float32)
    seed = keras.random.SeedGenerator(1)
    assert np.array_equal(np.asarray(diff_augment(x, seed, 0.0)), x)
    out = np.asarray(diff_augment(x, seed, 0.25))
    untouched = np.array([np.array_equal(o, i) for o, i in zip(out, x)])
    assert 0.5 < untouched.mean() < 0.95  # about three in four pass as they are, the rest are changed
    assert np.all(untouched | ~np.isclose(out, x).all(axis=(1, 2, 3)))


def test_translation_moves_whole_pixels_and_reflects_at_the_border():
    import keras

    from facepack.generator.stylegan.diffaugment import _shift

    x = np.arange(2 * 5 * 3, dtype=np.float32).reshape(2, 5, 3, 1)
    rows = np.asarray(keras.ops.convert_to_numpy(_shift(x, np.array([1, -2], np.int32), axis=1)))
    assert rows[0, :, 0, 0].tolist() == x[0, [1, 0, 1, 2, 3], 0, 0].tolist()  # down one, row 1 mirrored in
    assert rows[1, :, 0, 0].tolist() == x[1, [2, 3, 4, 3, 2], 0, 0].tolist()  # up two, mirrored at the bottom
    cols = np.asarray(keras.ops.convert_to_numpy(_shift(x, np.array([0, 1], np.int32), axis=2)))
    assert np.array_equal(cols[0], x[0]) and cols[1, :, :, 0].tolist() == x[1][:, [1, 0, 1], 0].tolist()


def test_critic_steps_reduce_its_loss_on_a_fixed_batch(run):
    import tensorflow as tf

    from facepack.core.records import load_arrays
    from facepack.generator.stylegan.model import GanConfig, label_indices
    from facepack.generator.stylegan.train import GanTrainer, TrainSettings, to_rgba_unit

    data = run[0]
    images, alphas, samples = load_arrays(data, "train", limit=4)
    age, complexion = (tf.constant(v) for v in label_indices(samples))
    reals = tf.constant(to_rgba_unit(images, alphas, 16))
    trainer = GanTrainer(GanConfig(**TINY), TrainSettings(batch=4, learning_rate=5e-3))
    losses = [trainer.critic_step(reals, age, complexion) for _ in range(15)]
    assert np.mean(losses[-3:]) < losses[0] - 0.1


def test_run_writes_checkpoints_samples_and_a_card(run):
    data, out, export, settings = run
    assert (out / "checkpoint" / "state.json").exists() and export.exists()
    assert sorted(p.name for p in (out / "samples").iterdir()) == ["step_000003.png", "step_000006.png"]
    card = json.loads(export.with_suffix(".json").read_text())
    assert card["kind"] == "generator" and card["steps"] == 6 and card["resolution"] == 16
    assert card["conditions"]["age_group"] == ["junior", "senior", "veteran"] and card["conditions"]["complexion"] == [
        "fair",
        "medium",
        "dark",
        "unknown",
    ]


def test_resume_continues_and_refuses_other_settings(run):
    from facepack.core.errors import FacepackError
    from facepack.generator.stylegan.model import GanConfig
    from facepack.generator.stylegan.train import train_generator

    data, out, _, settings = run
    said = []
    train_generator(data, out, GanConfig(**TINY), settings, log=said.append)
    assert any("resuming" in m and "step 6/6" in m for m in said)
    with pytest.raises(FacepackError, match="other settings"):
        train_generator(data, out, GanConfig(**{**TINY, "channel_max": 8}), settings, log=said.append)
    with pytest.raises(FacepackError, match="other settings"):
        train_generator(data, out, GanConfig(**TINY), replace(settings, learning_rate=1e-3), log=said.append)


def test_a_finished_run_trains_on_when_given_more_steps(run, tmp_path):
    import shutil

    from facepack.generator.stylegan.model import GanConfig
    from facepack.generator.stylegan.train import train_generator

    data, out, _, settings = run
    longer = tmp_path / "longer"
    shutil.copytree(out, longer)
    said = []
    export = train_generator(data, longer, GanConfig(**TINY), replace(settings, steps=9), log=said.append)
    assert any("resuming" in m and "step 6/9" in m for m in said) and any("step 9/9" in m for m in said)
    assert json.loads(export.with_suffix(".json").read_text())["steps"] == 9


def test_init_fine_tunes_from_an_exported_model(run, tmp_path):
    import keras

    from facepack.generator.stylegan.model import GanConfig
    from facepack.generator.stylegan.train import train_generator

    data, _, export, settings = run
    # Another seed than the source run's, so that only --init can bring its weights back.
    tuned = train_generator(
        data, tmp_path / "tuned", GanConfig(**TINY), replace(settings, steps=1, seed=5), init=export, log=lambda m: None
    )
    fresh = train_generator(data, tmp_path / "fresh", GanConfig(**TINY), replace(settings, steps=1, seed=5), log=lambda m: None)
    source, a, b = (
        keras.saving.load_model(p, compile=False).get_layer("synthesis").get_weights() for p in (export, tuned, fresh)
    )
    # The EMA export after one step sits on the weights it started from.
    assert max(np.abs(x - y).max() for x, y in zip(source, a)) < 0.05
    assert max(np.abs(x - y).max() for x, y in zip(source, b)) > 0.5


def test_init_from_a_run_folder_takes_its_critic_and_ema_too(run, tmp_path):
    import keras

    from facepack.core.errors import FacepackError
    from facepack.generator.stylegan.model import GanConfig
    from facepack.generator.stylegan.train import GanTrainer, train_generator

    data, out, _, settings = run
    # A larger batch and a lower rate than the source run: what --init from a run is for.
    later = replace(settings, steps=1, batch=8, learning_rate=1e-3, seed=5, balance_ages=True)
    export = train_generator(data, tmp_path / "on", GanConfig(**TINY), later, init=out, log=lambda m: None)
    source = GanTrainer(GanConfig(**TINY), settings)
    source.load(out)
    tuned = GanTrainer(GanConfig(**TINY), later)
    tuned.load(tmp_path / "on")
    # One step moves the live critic only a little from where the source run left it.
    gap = max(np.abs(a - b).max() for a, b in zip(source.critic.get_weights(), tuned.critic.get_weights()))
    assert gap < 0.05
    card = json.loads(export.with_suffix(".json").read_text())
    assert card["init_run"]["steps"] == 6 and card["steps"] == 1
    # Resumed with more steps (no --init this time), the run still says where it started from.
    resumed = train_generator(
        data,
        tmp_path / "on",
        GanConfig(**TINY),
        replace(later, steps=2),
        log=lambda m: None,
        command="facepack train generator DATA --out on",
    )
    assert json.loads(resumed.with_suffix(".json").read_text())["init_run"]["steps"] == 6
    again = train_generator(
        data, tmp_path / "on", GanConfig(**TINY), replace(later, steps=2), log=lambda m: None, export_only=True
    )
    assert json.loads(again.with_suffix(".json").read_text())["steps"] == 2
    # A third stage taken over from the second keeps the first in its card too.
    third = train_generator(data, tmp_path / "third", GanConfig(**TINY), later, init=tmp_path / "on", log=lambda m: None)
    chain = json.loads(third.with_suffix(".json").read_text())["init_run"]
    assert chain["steps"] == 2 and chain["init_run"]["steps"] == 6
    assert chain["command"] == "facepack train generator DATA --out on"  # each stage's command: the card is the recipe
    with pytest.raises(FacepackError, match="another network size"):
        train_generator(data, tmp_path / "wide", GanConfig(**{**TINY, "channel_max": 8}), later, init=out, log=lambda m: None)
    with pytest.raises(FacepackError, match="checkpoint"):
        train_generator(data, tmp_path / "none", GanConfig(**TINY), later, init=tmp_path, log=lambda m: None)
    assert keras.saving.load_model(export, compile=False) is not None


def test_a_run_grows_to_twice_its_resolution_drawing_its_faces_upsampled_at_first(run, tmp_path):
    import keras

    from facepack.core.errors import FacepackError
    from facepack.generator.stylegan.model import Composite, GanConfig
    from facepack.generator.stylegan.train import GanTrainer, train_generator

    data, out, _, settings = run
    small = GanTrainer(GanConfig(**TINY), settings)
    small.load(out)
    big_cfg = GanConfig(**{**TINY, "resolution": 32, "channel_min": 8})  # the new 32 px layers 8 wide, not 4
    later = replace(settings, steps=1, seed=5)
    big = GanTrainer(big_cfg, later)
    big.grow_from(out, GanConfig(**TINY))
    # Before a step, the grown generator draws the small one's faces (its colour and matte logits
    # upsampled), so training picks up where the small run stopped.
    ws = np.random.default_rng(0).standard_normal((3, 1, 16)).astype(np.float32)
    synthesis = small.synthesis_ema
    logits = keras.Model(synthesis.input, synthesis.get_layer("composite").input)(np.repeat(ws, 6, axis=1))
    expected = Composite()(keras.layers.UpSampling2D(interpolation="bilinear")(logits))
    grown = big.synthesis_ema(np.repeat(ws, 8, axis=1))
    assert np.abs(np.asarray(grown) - np.asarray(expected)).max() < 1e-5
    # Every layer of the small critic is kept (its input block replaced): its deeper layers are the same.
    for name in ("d16_a", "d16_b", "d8_a", "features", "score", "age_proj"):
        assert all(
            np.array_equal(a, b)
            for a, b in zip(small.critic.get_layer(name).get_weights(), big.critic.get_layer(name).get_weights())
        )
    # Through the command: --init with a larger --size grows the run; the card says it trained at 32 px.
    export = train_generator(data, tmp_path / "grown", big_cfg, later, init=out, log=lambda m: None)
    card = json.loads(export.with_suffix(".json").read_text())
    assert card["resolution"] == 32 and card["init_run"]["steps"] == 6
    # Anything but more resolution over the same layers is another network.
    with pytest.raises(FacepackError, match="another network size"):
        train_generator(data, tmp_path / "shrunk", GanConfig(**{**TINY, "resolution": 8}), later, init=out, log=lambda m: None)
    with pytest.raises(FacepackError, match="another network size"):
        wide = GanConfig(**{**TINY, "resolution": 32, "channel_min": 16})  # would widen the 16 px layers
        train_generator(data, tmp_path / "wide", wide, later, init=out, log=lambda m: None)


def test_the_class_head_learns_the_labels_from_real_portraits(run):
    import tensorflow as tf

    from facepack.core.records import load_arrays
    from facepack.generator.stylegan.model import GanConfig, label_indices
    from facepack.generator.stylegan.train import GanTrainer, TrainSettings, to_rgba_unit

    images, alphas, samples = load_arrays(run[0], "train", limit=4)
    age, complexion = (tf.constant(v) for v in label_indices(samples))
    reals = tf.constant(to_rgba_unit(images, alphas, 16))
    trainer = GanTrainer(GanConfig(**TINY), TrainSettings(batch=4, learning_rate=5e-3, class_weight=1.0))
    loss = lambda: float(trainer.judged(reals, age, complexion)[1])
    before = loss()
    for _ in range(15):
        trainer.critic_step(reals, age, complexion)
    assert loss() < before - 0.3


def test_class_loss_leaves_unknown_complexions_out():
    from facepack.generator.stylegan.model import age_groups, class_loss, complexions

    logits = np.zeros((2, len(age_groups()) + len(complexions())), np.float32)
    logits[:, 0] = 5.0  # sure of "junior"
    unknown = complexions().index("unknown")
    only_age = float(class_loss(logits, np.array([0, 0]), np.array([unknown, unknown])))
    assert only_age < 0.05  # nothing to learn about complexion from unlabelled faces
    assert float(class_loss(logits, np.array([0, 0]), np.array([0, 1]))) > only_age + 1.0


def test_a_class_head_run_takes_over_a_run_without_one(run, tmp_path):
    from facepack.core.errors import FacepackError
    from facepack.generator.stylegan.model import GanConfig
    from facepack.generator.stylegan.train import train_generator

    data, out, _, settings = run
    ac = replace(settings, steps=1, class_weight=1.0)
    export = train_generator(data, tmp_path / "ac", GanConfig(**TINY), ac, init=out, log=lambda m: None)
    card = json.loads(export.with_suffix(".json").read_text())
    assert "AC-GAN class head" in card["architecture"] and card["settings"]["class_weight"] == 1.0
    assert (tmp_path / "ac" / "checkpoint" / "class_head.weights.h5").exists()
    train_generator(data, tmp_path / "ac", GanConfig(**TINY), replace(ac, steps=2), log=lambda m: None)  # resumes with its head
    with pytest.raises(FacepackError, match="other settings"):
        train_generator(data, tmp_path / "ac", GanConfig(**TINY), replace(ac, steps=3, class_weight=0.0), log=lambda m: None)


def test_the_trait_head_reads_traits_from_real_portraits_and_joins_a_traits_run(run, tmp_path):
    """--trait-weight: the critic's features also give each portrait's traits back; learned on
    reals, it scores the generator on drawing the face it was asked for. Unknown traits (community
    portraits) teach it nothing. A traits run without a head is taken over, and resumes with it."""
    import tensorflow as tf

    from facepack.core.errors import FacepackError
    from facepack.core.records import load_arrays
    from facepack.generator.stylegan.model import GanConfig, conditions, trait_loss
    from facepack.generator.stylegan.train import GanTrainer, TrainSettings, to_rgba_unit, train_generator
    from facepack.generator.traits import TRAITS, UNKNOWN

    data, _, _, settings = run
    cfg = GanConfig(**TINY, traits=TRAITS)
    images, alphas, samples = load_arrays(data, "train", limit=4)
    cond = [tf.constant(c) for c in conditions(samples, cfg)]
    reals = tf.constant(to_rgba_unit(images, alphas, 16))
    trainer = GanTrainer(cfg, TrainSettings(batch=4, learning_rate=5e-3, trait_weight=1.0, augment=0.0))
    loss = lambda: float(trainer.judged(reals, *cond)[1])
    before = loss()
    for _ in range(30):
        trainer.critic_step(reals, *cond)
    assert loss() < before * 0.7
    told = np.stack([np.asarray(cond[2])[0], UNKNOWN])
    assert float(trait_loss(np.zeros_like(told), told)) == float(trait_loss(np.zeros_like(told[:1]), told[:1])) > 0

    plain = replace(settings, steps=2)
    train_generator(data, tmp_path / "plain", cfg, plain, log=lambda m: None)
    headed = replace(settings, steps=1, trait_weight=1.0)
    export = train_generator(data, tmp_path / "headed", cfg, headed, init=tmp_path / "plain", log=lambda m: None)
    card = json.loads(export.with_suffix(".json").read_text())
    assert "trait head" in card["architecture"] and (tmp_path / "headed" / "checkpoint" / "trait_head.weights.h5").exists()
    train_generator(data, tmp_path / "headed", cfg, replace(headed, steps=2), log=lambda m: None)  # resumes with its head
    with pytest.raises(FacepackError, match="other settings"):
        train_generator(data, tmp_path / "headed", cfg, replace(headed, steps=3, trait_weight=0.0), log=lambda m: None)


def test_a_face_critic_judges_the_face_and_takes_over_a_run_without_one(run, tmp_path):
    """The face critic sees the face square of each portrait; a run with one goes on from a run
    without one (its own critic starting afresh), resumes with it, and refuses to drop it."""
    from facepack.core.errors import FacepackError
    from facepack.generator.stylegan.model import GanConfig, face_crop
    from facepack.generator.stylegan.train import GanTrainer, train_generator

    images = np.zeros((1, 16, 16, 4), np.float32)
    images[0, 5:13, 4:12] = 1.0
    assert face_crop(images).shape == (1, 8, 8, 4) and face_crop(images).min() == 1.0
    data, out, _, settings = run
    faced = replace(settings, steps=1, face_critic=True)
    trainer = GanTrainer(GanConfig(**TINY), faced)
    assert trainer.judged(np.zeros((2, 16, 16, 4), np.float32), np.zeros(2, "int32"), np.zeros(2, "int32"))[0].shape == (2, 2)
    assert len(trainer.d_vars) > len(trainer.critic.trainable_variables)
    export = train_generator(data, tmp_path / "f", GanConfig(**TINY), faced, init=out, log=lambda m: None)
    card = json.loads(export.with_suffix(".json").read_text())
    assert "face critic" in card["architecture"] and card["settings"]["face_critic"] is True
    assert (tmp_path / "f" / "checkpoint" / "face_critic.weights.h5").exists()
    train_generator(data, tmp_path / "f", GanConfig(**TINY), replace(faced, steps=2), log=lambda m: None)
    with pytest.raises(FacepackError, match="other settings"):
        train_generator(data, tmp_path / "f", GanConfig(**TINY), replace(faced, steps=3, face_critic=False), log=lambda m: None)


def test_the_reconstruction_term_teaches_the_generator_to_redraw_real_portraits(run, tmp_path):
    """--reconstruction (VAE-GAN): an encoder, seeded from the critic it takes over, reads real
    portraits; the generator's L1 error redrawing them falls as it trains on them, the KL is
    logged beside it, and a run keeps its encoder on resuming and refuses to drop it."""
    from facepack.core.errors import FacepackError
    from facepack.core.records import load_arrays
    from facepack.generator.stylegan.loss import kl_to_prior
    from facepack.generator.stylegan.model import GanConfig, label_indices
    from facepack.generator.stylegan.train import GanTrainer, to_rgba_unit, train_generator

    assert float(kl_to_prior(np.zeros((2, 3), "float32"), np.zeros((2, 3), "float32"))) == 0.0
    assert float(kl_to_prior(np.ones((1, 3), "float32"), np.zeros((1, 3), "float32"))) == pytest.approx(1.5)
    data, out, _, settings = run
    redraw = replace(settings, steps=1, reconstruction=10.0, learning_rate=5e-3, augment=0.0)
    trainer = GanTrainer(GanConfig(**TINY), redraw)
    trainer.load_networks(out, taking_over=True)
    assert np.allclose(
        trainer.encoder.get_layer("from_rgb").get_weights()[0], trainer.critic.get_layer("from_rgb").get_weights()[0]
    )
    images, alphas, samples = load_arrays(data, "train", limit=4)
    reals, cond = to_rgba_unit(images, alphas, 16), label_indices(samples)
    as_tensors = [trainer.keras.ops.convert_to_tensor(c) for c in cond]
    l1 = lambda: float(np.mean([trainer.loss.reconstruction_terms(reals, as_tensors)[0] for _ in range(4)]))
    before = l1()
    for i in range(12):
        last = trainer.step(i + 1, reals, *cond)
    assert {"l1", "kl"} <= last.keys() and last["kl"] > 0
    assert l1() < before * 0.8
    lines = []
    export = train_generator(data, tmp_path / "r", GanConfig(**TINY), redraw, init=out, log=lines.append)
    assert "VAE-GAN encoder" in json.loads(export.with_suffix(".json").read_text())["architecture"]
    assert (tmp_path / "r" / "checkpoint" / "encoder.weights.h5").exists() and any(" l1 " in m for m in lines)
    train_generator(data, tmp_path / "r", GanConfig(**TINY), replace(redraw, steps=2), log=lambda m: None)
    with pytest.raises(FacepackError, match="other settings"):
        train_generator(data, tmp_path / "r", GanConfig(**TINY), replace(redraw, steps=3, reconstruction=0.0), log=lambda m: None)


def test_balanced_ages_draw_every_group_equally_often():
    from facepack.generator.stylegan.train import age_balanced_weights

    age = np.array([0, 1, 1, 1, 1, 1, 2, 2, 1, 1])
    w = age_balanced_weights(age)
    assert np.isclose(w.sum(), 1.0)
    assert np.allclose([w[age == g].sum() for g in range(3)], 1 / 3)


def test_export_round_trip_and_determinism(run):
    from facepack.generator.learned import LearnedGenerator

    _, _, export, _ = run
    reqs = [FaceRequest(seed=s, age=a, nationality=n) for s, a, n in [(1, 19.0, "SWE"), (2, 30.0, "NGA"), (3, 36.0, None)]]
    a = LearnedGenerator(export, size=32).generate(reqs)
    # Other batch-mates and places in the (always full, fixed-size) batch: the same faces.
    stranger = FaceRequest(seed=99, age=25.0, nationality="ITA")
    b = LearnedGenerator(export, size=32).generate([stranger] + reqs[::-1])[1:][::-1]
    assert all(np.array_equal(x.image, y.image) for x, y in zip(a, b))
    assert a[0].image.shape == (32, 32, 3) and not np.array_equal(a[0].image, a[1].image)


def test_the_upsampler_doubles_the_faces_a_face_still_its_players_alone(run):
    """Below the size asked, the shipped upsampler doubles the network's faces (16 -> 32 px here);
    upsampler=False leaves it to the cubic filter, as before the upsampler."""
    import cv2

    from facepack.generator.learned import LearnedGenerator

    _, _, export, _ = run
    reqs = [FaceRequest(seed=s, age=20.0 + 3 * s, nationality="FIN") for s in range(5)]
    gen = LearnedGenerator(export, size=32)
    assert gen.upsampler is not None
    faces, alone = gen.generate(reqs), gen.generate(reqs[2:3])
    assert faces[2].image.shape == (32, 32, 3) and np.array_equal(faces[2].image, alone[0].image)
    native = LearnedGenerator(export, size=16, upsampler=False).generate(reqs)
    cubic = LearnedGenerator(export, size=32, upsampler=False).generate(reqs)
    assert all(
        np.array_equal(c.image, cv2.resize(n.image, (32, 32), interpolation=cv2.INTER_CUBIC)) for c, n in zip(cubic, native)
    )
    assert not np.array_equal(faces[0].image, cubic[0].image)
    # The upsampler draws detail, not another face: halved again, each is close to the network's own.
    for f, n in zip(faces, native):
        assert np.abs(cv2.resize(f.image, (16, 16), interpolation=cv2.INTER_AREA).astype(int) - n.image).mean() < 8


def test_truncation_and_conditions(run):
    from facepack.generator.learned import LearnedGenerator

    _, _, export, _ = run
    typical = LearnedGenerator(export, size=16, psi=0.0)
    same_condition = typical.generate([FaceRequest(seed=s, age=25.0, nationality="NGA") for s in (1, 2)])
    assert np.array_equal(
        same_condition[0].image, same_condition[1].image
    )  # psi 0: the condition's mean face (seeds 1 and 2: both "dark")
    other_age = typical.generate([FaceRequest(seed=1, age=38.0, nationality="NGA")])[0]
    assert not np.array_equal(other_age.image, same_condition[0].image)
    varied = LearnedGenerator(export, size=16, psi=1.0).generate(
        [FaceRequest(seed=s, age=25.0, nationality="NGA") for s in (1, 2)]
    )
    assert not np.array_equal(varied[0].image, varied[1].image)


def test_build_with_a_learned_generator(run, options, tmp_path):
    from PIL import Image

    from facepack.build import build_pack
    from facepack.core.errors import FacepackError

    _, _, export, _ = run
    a = build_pack(options(out=tmp_path / "a", generator="learned", model=export)).pack
    b = build_pack(options(out=tmp_path / "b", generator="learned", model=export)).pack
    faces = sorted(p.relative_to(a) for p in a.rglob("*.png") if p.name != "preview.png")
    assert len(faces) == 4 and all((a / f).read_bytes() == (b / f).read_bytes() for f in faces)
    with Image.open(a / faces[0]) as im:
        assert im.size == (157, 200)
    with pytest.raises(FacepackError, match="not found"):
        build_pack(options(out=tmp_path / "c", generator="learned", model=tmp_path / "missing.keras"))
    with pytest.raises(FacepackError, match="upsampler model .* not found"):
        build_pack(options(out=tmp_path / "d", generator="learned", model=export, upsampler_model=tmp_path / "none.keras"))


def test_a_traits_model_trains_resumes_exports_and_builds(run, tmp_path):
    """--traits: the networks also take the painter's traits; the exported model truncates toward
    each face's own condition, and build asks it with the painter's draw for the same player."""
    from facepack.generator.learned import LearnedGenerator
    from facepack.generator.painter.look import look_of
    from facepack.generator.stylegan.model import GanConfig
    from facepack.generator.stylegan.train import train_generator
    from facepack.generator.traits import TRAITS, traits_of

    data, _, _, settings = run
    cfg = GanConfig(**TINY, traits=TRAITS)
    export = train_generator(data, tmp_path / "t", cfg, replace(settings, steps=2, class_weight=0.3), log=lambda m: None)
    said = []
    export = train_generator(data, tmp_path / "t", cfg, replace(settings, steps=3, class_weight=0.3), log=said.append)
    assert said[0].startswith("resuming") and (tmp_path / "t" / "samples" / "step_000003.png").exists()
    card = json.loads(export.with_suffix(".json").read_text())
    assert card["trained_traits"] is True and len(card["conditions"]["traits"]) == TRAITS

    gen = LearnedGenerator(export, size=16)
    request = FaceRequest(seed=3, age=41.0, nationality="SWE")
    assert np.array_equal(gen.condition(request)[3], traits_of(look_of(request)))
    reqs = [FaceRequest(seed=s, age=20.0 + s, nationality="CAN") for s in range(10)]
    faces, alone = gen.generate(reqs), gen.generate(reqs[3:4])
    assert np.array_equal(faces[3].image, alone[0].image)  # a face depends on its player alone
    typical = LearnedGenerator(export, size=16, psi=0.0).generate([request, request])
    assert np.array_equal(typical[0].image, typical[1].image)
    assert len(gen.morph(reqs[0], reqs[1], 3)) == 3


def test_a_traits_run_takes_over_a_run_told_fewer_traits_answering_as_it_did(run, tmp_path):
    """Trait names are only appended: a run told the first 41 (the first traits networks) trains
    on data that has more, and a run told them all takes it over with the new traits' weights at
    zero, so its networks first answer exactly as the smaller one's did."""
    from facepack.generator.stylegan.model import GanConfig
    from facepack.generator.stylegan.train import GanTrainer, grows, train_generator
    from facepack.generator.traits import FIRST, TRAITS

    data, _, _, settings = run
    fewer = GanConfig(**TINY, traits=FIRST)
    told = train_generator(data, tmp_path / "fewer", fewer, replace(settings, steps=2, class_weight=0.3), log=lambda m: None)
    assert json.loads(told.with_suffix(".json").read_text())["conditions"]["traits"][-1] == "facial_full_beard"
    small = GanTrainer(fewer, settings)
    small.load(tmp_path / "fewer")
    big = GanTrainer(GanConfig(**TINY, traits=TRAITS), replace(settings, steps=1, class_weight=0.3))
    big.grow_from(tmp_path / "fewer", fewer)
    rng = np.random.default_rng(1)
    z = rng.standard_normal((3, 16)).astype(np.float32)
    labels = [np.array([0, 1, 2], np.int32), np.array([0, 1, 2], np.int32)]
    traits = rng.random((3, TRAITS)).astype(np.float32)
    before = np.asarray(small.mapping_ema([z, *labels, traits[:, :FIRST]]))
    after = np.asarray(big.mapping_ema([z, *labels, traits]))
    assert np.abs(before - after).max() < 1e-5 and np.abs(before).max() > 0.01
    images = rng.uniform(-1, 1, (3, 16, 16, 4)).astype(np.float32)
    judged = [np.asarray(t.critic([images, *labels, x])) for t, x in ((small, traits[:, :FIRST]), (big, traits))]
    assert np.abs(judged[0] - judged[1]).max() < 1e-4
    # Through the command, and a step on: the new traits' weights learn.
    export = train_generator(
        data,
        tmp_path / "more",
        big.cfg,
        replace(settings, steps=1, class_weight=0.3),
        init=tmp_path / "fewer",
        log=lambda m: None,
    )
    card = json.loads(export.with_suffix(".json").read_text())
    assert len(card["conditions"]["traits"]) == TRAITS and card["init_run"]["steps"] == 2
    # More traits at fewer pixels is another network, and so are fewer traits.
    assert not grows(fewer, GanConfig(**{**TINY, "resolution": 8}, traits=TRAITS))
    assert not grows(big.cfg, fewer) and grows(fewer, GanConfig(**{**TINY, "resolution": 32}, traits=TRAITS))


def test_the_shipped_generator_paints_distinct_faces_on_the_ui_blue():
    from facepack.generator.base import UI_BLUE
    from facepack.generator.learned import LearnedGenerator, default_model_path

    assert default_model_path().exists()
    reqs = [FaceRequest(seed=s, age=a, nationality=n) for s, a, n in [(1, 18.0, "SWE"), (2, 27.0, "NGA"), (3, 36.0, "ITA")]]
    faces = LearnedGenerator(size=128).generate(reqs)
    again = LearnedGenerator(size=128).generate(reqs)
    assert all(np.array_equal(a.image, b.image) for a, b in zip(faces, again))
    for f in faces:
        top = f.image[:8].reshape(-1, 3).astype(int)  # above the head: background, exactly, by construction
        assert np.abs(np.median(top, axis=0) - UI_BLUE).max() <= 2
    assert len({f.image.tobytes() for f in faces}) == 3


def test_jax_trains_over_two_devices_in_bfloat16_and_tensorflow_builds_with_it(run, tmp_path):
    """The GPU machine's path: KERAS_BACKEND=jax, Keras's DataParallel over every device JAX sees
    (two host devices stand in for two GPUs), bfloat16 compute. Skipped where JAX is not installed."""
    import os
    import subprocess
    import sys

    pytest.importorskip("jax")
    from facepack.generator.learned import LearnedGenerator

    data = run[0]
    code = (
        # (Where TensorFlow is installed too, Keras imports it to seed it as well: whether anything
        # needs it shows on the GPU machine, which has none; this machine has both or neither.)
        "import json, sys\n"
        "from pathlib import Path\n"
        "from facepack.generator.stylegan.model import GanConfig\n"
        "from facepack.generator.stylegan.train import TrainSettings, train_generator\n"
        f"e = train_generator(Path({str(data)!r}), Path({str(tmp_path / 'jax')!r}), GanConfig(**{TINY!r}),\n"
        "    TrainSettings(steps=2, batch=4, checkpoint_every=2, sample_every=2, r1_every=2), log=print, precision='mixed_bfloat16')\n"
        # The AC-GAN class head's step too, taking that run over.
        f"train_generator(Path({str(data)!r}), Path({str(tmp_path / 'jax-ac')!r}), GanConfig(**{TINY!r}),\n"
        "    TrainSettings(steps=1, batch=4, checkpoint_every=1, sample_every=1, r1_every=1, class_weight=1.0), log=print,\n"
        f"    init=Path({str(tmp_path / 'jax')!r}))\n"
        # The reconstruction term's step, taking the first run over (its encoder seeded from the critic).
        f"train_generator(Path({str(data)!r}), Path({str(tmp_path / 'jax-vae')!r}), GanConfig(**{TINY!r}),\n"
        "    TrainSettings(steps=1, batch=4, checkpoint_every=1, sample_every=1, r1_every=1, reconstruction=10.0), log=print,\n"
        f"    init=Path({str(tmp_path / 'jax')!r}))\n"
        # And a traits model (a third, float condition through the jitted step).
        f"train_generator(Path({str(data)!r}), Path({str(tmp_path / 'jax-traits')!r}), GanConfig(**{TINY!r}, traits=41),\n"
        "    TrainSettings(steps=1, batch=4, checkpoint_every=1, sample_every=1, r1_every=1), log=print)\n"
    )
    env = dict(os.environ, KERAS_BACKEND="jax", XLA_FLAGS="--xla_force_host_platform_device_count=2")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "jax on 2 device(s), mixed_bfloat16" in r.stdout
    card = json.loads((tmp_path / "jax" / "face_gan.json").read_text())
    assert card["backend"] == "jax" and card["devices"] == 2 and card["steps"] == 2
    assert "class d" in r.stdout and (tmp_path / "jax-ac" / "checkpoint" / "class_head.weights.h5").exists()
    assert " l1 " in r.stdout and (tmp_path / "jax-vae" / "checkpoint" / "encoder.weights.h5").exists()
    faces = LearnedGenerator(tmp_path / "jax" / "face_gan.keras", size=16).generate([FaceRequest(1, 20.0), FaceRequest(2, 35.0)])
    assert faces[0].image.shape == (16, 16, 3) and not np.array_equal(faces[0].image, faces[1].image)
    traits = LearnedGenerator(tmp_path / "jax-traits" / "face_gan.keras", size=16)
    assert traits.traits and len(traits.generate([FaceRequest(1, 20.0), FaceRequest(2, 35.0)])) == 2


def test_tensorflow_trains_in_bfloat16_too(run, tmp_path):
    """`--precision mixed_bfloat16` under the TensorFlow backend: it stopped with a traceback (a
    float32 constant met bfloat16 features in the projection critic, float32 noise a bfloat16
    activation). On this CPU it is no faster (1.36 s a step at the 256 px traits recipe against
    1.38 in float32), but a flag the CLI offers must work where it runs."""
    from facepack.core.quiet import import_keras
    from facepack.generator.stylegan.model import GanConfig
    from facepack.generator.stylegan.train import TrainSettings, train_generator

    if import_keras().backend.backend() != "tensorflow":
        pytest.skip("the TensorFlow backend's path")
    settings = TrainSettings(steps=1, batch=4, checkpoint_every=1, sample_every=1, r1_every=1)
    lines = []
    export = train_generator(
        run[0], tmp_path / "bf16", GanConfig(**TINY, traits=41), settings, log=lines.append, precision="mixed_bfloat16"
    )
    assert any("mixed_bfloat16" in line for line in lines) and export.exists()


def test_the_two_sample_test_tells_alike_from_unlike():
    import cv2

    from facepack.core.quiet import import_keras
    from facepack.generator import load_generator
    from facepack.generator.evaluate import c2st_accuracy

    keras = import_keras()
    faces = np.stack(
        [p.image for p in load_generator("painter", size=64).generate([FaceRequest(s, 17.0 + s % 23) for s in range(160)])]
    )
    real, alike = faces[:80], faces[80:]
    noise = np.random.default_rng(0).normal(0, 12, alike.shape)
    unlike = np.clip(np.stack([cv2.GaussianBlur(f, (0, 0), 1.5) for f in alike]) + noise, 0, 255).astype(np.uint8)
    assert c2st_accuracy(keras, real, alike, 64) < 0.7
    assert c2st_accuracy(keras, real, unlike, 64) > 0.9


def test_the_two_sample_classifier_fits_its_half_before_it_judges():
    # Stopped on its validation loss, it came back with its first epoch's weights whenever it
    # overfit (the loss is lowest before it has learnt anything) and called real and GAN faces
    # indistinguishable: 0.5 where a trained one scores 0.82.
    from facepack.core.quiet import import_keras
    from facepack.generator import load_generator
    from facepack.generator.evaluate import _cnn, _fit_to_convergence, _scaled

    keras = import_keras()
    faces = np.stack(
        [p.image for p in load_generator("painter", size=64).generate([FaceRequest(s, 17.0 + s % 23) for s in range(120)])]
    )
    brighter = np.clip(faces[60:].astype(int) + 8, 0, 255).astype(np.uint8)
    x = _scaled(np.concatenate([faces[:60], brighter]), 64)
    y = np.repeat(np.array([0, 1], np.int32), 60)
    model = _cnn(keras, 64, {"fake": 2})
    _fit_to_convergence(keras, model, x, y, seed=0)
    pred = np.argmax(keras.ops.convert_to_numpy(model.predict(x, verbose=0)["fake"]), axis=1)
    assert (pred == y).mean() > 0.95


def test_evaluate_writes_the_measures(run):
    from facepack.generator.evaluate import c2st_of, evaluate_generator
    from facepack.generator.learned import LearnedGenerator

    data, _, export, _ = run
    gen = LearnedGenerator(export, size=32)
    # Two repeats, not the three a verdict takes: each is a classifier fitted (seconds of CPU).
    m = evaluate_generator(gen, data, samples=16, repeats=2)
    for k in ("c2st_accuracy", "condition_accuracy", "near_duplicate_rate", "real_condition_accuracy"):
        assert 0.0 <= m[k] <= 1.0
    assert m["condition_accuracy"] == round((m["age_accuracy"] + m["complexion_accuracy"]) / 2, 4)
    assert len(m["c2st_runs"]) == 2 and m["c2st_accuracy"] == round(float(np.mean(m["c2st_runs"])), 4)
    # The headline test judges the untruncated model; the one at build's psi is a different sample.
    assert m["c2st_psi"] == 1.0 and m["psi"] == 0.8 and len(m["c2st_runs_at_psi"]) == 2
    assert m["c2st_accuracy_at_psi"] == round(float(np.mean(m["c2st_runs_at_psi"])), 4)
    assert 0.0 <= c2st_of(gen, data, samples=16, repeats=1) <= 1.0


def test_a_model_that_never_saw_complexions_is_asked_for_unknown(run, tmp_path):
    import shutil

    from facepack.core.modelcard import read_card, write_card
    from facepack.generator.learned import LearnedGenerator
    from facepack.generator.stylegan.train import trained_complexions

    _, _, export, _ = run
    assert read_card(export)["trained_complexions"] == ["fair", "medium", "dark"]
    assert trained_complexions({"facepacks": ["/faces"]}) == ["unknown"]
    other = tmp_path / "facepacks_only.keras"
    shutil.copy(export, other)
    write_card(other, {**read_card(export), "trained_complexions": ["unknown"]})
    request = FaceRequest(seed=1, age=25.0, nationality="NGA")
    assert LearnedGenerator(export).condition(request)[2] == LearnedGenerator(export).complexions.index("dark")
    assert LearnedGenerator(other).condition(request)[2] == LearnedGenerator(other).complexions.index("unknown")


# One trainer's losses on a fixed batch, under whichever backend runs it: the critic's and the
# generator's adversarial terms, the class head's, and R1 through the backend's own gradient.
SAME_BATCH = """
import json, sys
from pathlib import Path
import numpy as np
import keras
from facepack.generator.stylegan.model import GanConfig, complexions
from facepack.generator.stylegan.train import GanTrainer, TrainSettings
folder, mode, tiny = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
t = GanTrainer(GanConfig(**tiny), TrainSettings(batch=4, augment=0.0, class_weight=0.3, r1_every=4))
if mode == "save":
    t.save(folder, {})
else:
    t.load_networks(folder)
rng = np.random.default_rng(0)
shape = (4,) + tuple(t.critic.inputs[0].shape[1:])
fakes, reals = (rng.uniform(-1, 1, shape).astype("float32") for _ in range(2))
age, tone = np.array([0, 1, 2, 0], "int32"), np.array([0, 1, 2, len(complexions()) - 1], "int32")
x = [keras.ops.convert_to_tensor(a) for a in (fakes, reals, age, tone)]
d, dc = t.loss.critic_terms(x[0], x[1], (x[2], x[3]))
g, gc = t.loss.generator_terms(x[0], (x[2], x[3]))
r1 = t.loss.r1(t.real_grad(x[1], x[2], x[3]))
print(json.dumps({k: float(v) for k, v in dict(d=d, d_class=dc, g=g, g_class=gc, r1=r1).items()}))
"""


def losses_under(backend: str, folder, mode: str, python: str | None = None) -> dict:
    import os
    import subprocess
    import sys

    env = dict(os.environ, KERAS_BACKEND=backend)
    r = subprocess.run(
        [python or sys.executable, "-c", SAME_BATCH, str(folder), mode, json.dumps(TINY)], env=env, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_tensorflow_and_jax_steps_give_the_same_losses_on_a_fixed_batch(tmp_path):
    """The loss is written once (loss.py); each backend brings only its gradients. Same weights, same
    batch: the same numbers. Skipped where JAX is not installed beside TensorFlow."""
    pytest.importorskip("jax")
    tf_losses = losses_under("tensorflow", tmp_path, "save")
    jax_losses = losses_under("jax", tmp_path, "load")
    assert tf_losses.keys() == jax_losses.keys()
    for k in tf_losses:
        assert abs(tf_losses[k] - jax_losses[k]) <= 1e-4 * max(1.0, abs(tf_losses[k])), (k, tf_losses, jax_losses)
    assert tf_losses["r1"] > 0 and tf_losses["d_class"] > 0


def test_faces_from_the_compiled_graph_are_within_one_level_of_the_eager_call():
    """The shipped generator runs as one compiled graph (2-3x faster than op by op). The graph fuses
    operations differently, which moves values by ~1e-5: a portrait may move by 1 in a few pixels (the
    example league: 184 of 2.5 million pixel values), never more. The segmenter's graph is exact."""
    from facepack.generator.learned import LearnedGenerator

    gen = LearnedGenerator(size=128)
    reqs = [FaceRequest(s, a, n) for s, a, n in [(1, 18.0, "SWE"), (2, 27.0, "NGA"), (3, 36.0, "ITA")]]
    graph = [p.image.astype(int) for p in gen.generate(reqs)]
    args = gen.inputs([gen.condition(r) for r in reqs], gen.batch_size) + [np.full((gen.batch_size, 1), gen.psi, np.float32)]
    eager = np.asarray(gen.model(args, training=False))
    for k, face in enumerate(graph):
        assert np.abs(face - np.clip(np.rint((eager[k] + 1.0) * 127.5), 0, 255).astype(int)).max() <= 1
