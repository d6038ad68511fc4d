"""The renderer's plumbing with tiny portraits (16 px, a few steps): not its quality."""

import json

import numpy as np
import pytest
from conftest import SEASON

from facepack.core.errors import FacepackError
from facepack.dataset.make import DatasetOptions, make_dataset
from facepack.generator.base import FaceRequest

# Model training: seconds to a minute of CPU. CI runs them; plain `pytest` skips them.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from facepack.generator.renderer.loop import RendererSettings, train_renderer

    data = tmp_path_factory.mktemp("data") / "painted"
    make_dataset(DatasetOptions(out=data, painter=8, size=32, holdout=0.25, season=SEASON))
    out = tmp_path_factory.mktemp("renderer")
    settings = RendererSettings(size=16, batch=2, steps=4, steps_per_epoch=2)
    export = train_renderer(data, out, settings, log=lambda m: None)
    return data, out, export, settings


def test_a_run_checkpoints_draws_sheets_and_exports_with_its_card(run):
    data, out, export, _ = run
    card = json.loads(export.with_suffix(".json").read_text())
    assert card["kind"] == "generator" and card["trained_traits"] is True and card["steps"] == 4
    assert card["data"]["path"] == str(data) and card["settings"]["face_weight"] == 5.0
    assert sorted(p.name for p in (out / "samples").iterdir()) == ["step_000002.png", "step_000004.png"]
    from PIL import Image

    with Image.open(out / "samples" / "step_000004.png") as sheet:
        # Up to eight held-out players, the renderer's row above the painter's.
        assert sheet.size == (min(8, card["data"]["splits"]["test"]) * 16, 2 * 16)
    assert json.loads((out / "state.json").read_text())["epoch"] == 2


def test_a_finished_run_trains_on_when_given_more_steps_and_refuses_other_settings(run, tmp_path):
    import shutil
    from dataclasses import replace

    from facepack.generator.renderer.loop import train_renderer

    data, out, _, settings = run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    train_renderer(data, copy, replace(settings, steps=6), log=lambda m: None)
    assert json.loads((copy / "state.json").read_text())["epoch"] == 3
    with pytest.raises(FacepackError, match="other settings"):
        train_renderer(data, copy, replace(settings, steps=8, face_weight=2.0), log=lambda m: None)


def test_init_starts_a_new_run_from_a_run_or_an_export_and_the_card_says_so(run, tmp_path):
    from dataclasses import replace

    from facepack.core.quiet import import_keras
    from facepack.generator.renderer.loop import train_renderer

    keras = import_keras()
    data, out, export, settings = run
    frozen = replace(settings, steps=2, learning_rate=0.0)  # Adam at rate 0 moves nothing
    before = keras.saving.load_model(out / "checkpoint.keras", compile=False).get_weights()
    for init in (out, export):
        fine = train_renderer(data, tmp_path / init.name, frozen, log=lambda m: None, init=init)
        after = keras.saving.load_model(fine, compile=False).get_weights()
        assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
        assert json.loads(fine.with_suffix(".json").read_text())["init"] == str(init)
    # resumed (the next session's same command, --init left off), its card still says where it began
    resumed = train_renderer(data, tmp_path / export.name, replace(frozen, steps=4), log=lambda m: None)
    assert json.loads(resumed.with_suffix(".json").read_text())["init"] == str(export)


def test_a_wider_last_stage_draws_what_the_narrower_drew():
    """Net2Net: copies of a channel share what reads them, so the widened network draws the same;
    the noise on the copies' inputs breaks their symmetry and moves the drawing only a little."""
    from facepack.core.quiet import import_keras
    from facepack.generator.renderer.networks import RendererConfig, build_renderer, widen_top

    keras = import_keras()
    narrow = build_renderer(RendererConfig(resolution=16, traits=5, embed=8, width_base=128))  # 8 channels at 16 px
    rng = np.random.default_rng(0)
    narrow.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") for w in narrow.get_weights()])  # FiLM starts at 0
    traits = rng.normal(0, 1, (3, 5)).astype("float32")
    drawn = narrow.predict_on_batch(traits)
    # 13 channels from 8: five of the old ones copied twice, three once
    wide = build_renderer(RendererConfig(resolution=16, traits=5, embed=8, width_base=128, top_width=13))
    widen_top(narrow, wide, 16, noise=0.0)
    assert wide.get_layer("conv16b").get_weights()[0].shape == (3, 3, 15, 13)
    np.testing.assert_allclose(wide.predict_on_batch(traits), drawn, rtol=1e-5, atol=1e-5)
    widen_top(narrow, wide, 16)
    k = wide.get_layer("conv16a").get_weights()[0]
    assert not np.array_equal(k[..., 8], k[..., 0])  # the copy now learns on its own
    assert 0 < np.abs(wide.predict_on_batch(traits) - drawn).max() < 0.1 * np.abs(drawn).max()
    with pytest.raises(ValueError, match="only grow"):
        widen_top(wide, narrow, 16)
    keras.backend.clear_session()


def test_init_with_a_wider_top_width_widens_and_a_narrower_one_is_refused(run, tmp_path):
    from dataclasses import replace

    from facepack.core.quiet import import_keras
    from facepack.generator.renderer.loop import train_renderer

    keras = import_keras()
    data, _, export, settings = run  # 192 channels at 16 px
    frozen = replace(settings, steps=2, learning_rate=0.0, top_width=200)
    fine = train_renderer(data, tmp_path / "wide", frozen, log=lambda m: None, init=export)
    card = json.loads(fine.with_suffix(".json").read_text())
    assert card["config"]["top_width"] == 200 and card["settings"]["top_width"] == 200
    assert keras.saving.load_model(fine, compile=False).get_layer("renderer").get_layer("rgb").get_weights()[0].shape[2] == 200
    with pytest.raises(FacepackError, match="narrower last stage"):
        train_renderer(data, tmp_path / "narrow", replace(frozen, top_width=100), log=lambda m: None, init=export)


def test_the_export_draws_in_build_as_a_learned_generator_one_face_per_draw(run):
    from facepack.generator.learned import LearnedGenerator

    gen = LearnedGenerator(run[2], size=32, batch_size=2, upsampler=False)
    a, b = FaceRequest(seed=1, age=24, nationality="SWE"), FaceRequest(seed=2, age=24, nationality="SWE")
    first = [p.image for p in gen.generate([a, b, a])]
    assert first[0].shape == (32, 32, 3) and np.array_equal(first[0], first[2])  # its draw alone decides a face
    assert not np.array_equal(first[0], first[1])
    assert np.array_equal(gen.generate([a])[0].image, first[0])  # whatever its batch-mates
    # Morph walks from one player's traits to the other's: its ends are their faces, as build draws them.
    frames = gen.morph(a, b, 3)
    assert np.array_equal(frames[0], first[0]) and np.array_equal(frames[2], first[1])
    assert not np.array_equal(frames[1], frames[0]) and not np.array_equal(frames[1], frames[2])


def test_data_without_painted_portraits_is_refused_in_one_line(tmp_path):
    from facepack.generator.renderer.loop import check_data

    (tmp_path / "dataset.json").write_text(json.dumps({"painter": None, "splits": {"train": 3, "test": 1}}))
    with pytest.raises(FacepackError, match="no painted portraits"):
        check_data(tmp_path, 128)


def test_the_eye_and_mouth_bands_count_most_and_the_weights_average_one():
    from facepack.generator.renderer.loss import face_weights
    from facepack.generator.stylegan.model import FACE_ROWS

    w = face_weights(64, 5.0, 12.0)[..., 0]
    assert w.mean() == pytest.approx(1.0, abs=1e-5)
    eyes, face, hair = w[int(0.42 * 64), 32], w[int(0.7 * 64), 32], w[2, 2]
    assert eyes / hair == pytest.approx(12.0) and face / hair == pytest.approx(5.0)
    assert w[int(FACE_ROWS[0] * 64) - 1, 32] == pytest.approx(hair)  # off the face: the base weight
    # eye_weight below face_weight never lowers the face (the band keeps the larger)
    assert face_weights(64, 5.0, 1.0)[int(0.42 * 64), 32, 0] == pytest.approx(face_weights(64, 5.0)[int(0.7 * 64), 32, 0])
    # the nose-and-mouth band: under the nostrils, at the lips, not the chin
    m = face_weights(64, 5.0, 12.0, 12.0)[..., 0]
    assert m[int(0.52 * 64), 32] / m[2, 2] == pytest.approx(12.0) and m[int(0.57 * 64), 26] == m[int(0.52 * 64), 32]
    assert m[int(0.7 * 64), 32] / m[2, 2] == pytest.approx(5.0)


def test_the_colour_term_sees_paler_hair_not_lightness_or_strands():
    from facepack.generator.renderer.loss import RendererLoss, chroma

    rng = np.random.default_rng(0)
    painted = np.zeros((1, 32, 32, 3), np.float32)
    painted[:, :8] = (0.6, 0.3, -0.2)  # blond hair over the top rows
    painted[:, :8] += rng.normal(0, 0.2, (1, 8, 32, 1))  # strands: lightness, the same in every channel
    paler = painted.copy()
    grey = paler[:, :8].mean(-1, keepdims=True)
    paler[:, :8] = grey + 0.6 * (paler[:, :8] - grey)  # the same hair, its colour cut to 0.6 (ash)
    lighter = painted + 0.1  # lighter everywhere, the colour kept
    assert np.abs(np.asarray(chroma(lighter)) - np.asarray(chroma(painted))).max() < 1e-6
    plain, coloured = RendererLoss(32, detail=0.0), RendererLoss(32, detail=0.0, colour=3.0)
    extra = float(coloured(painted, paler)) - float(plain(painted, paler))
    assert extra > 0.5 * float(plain(painted, paler))  # paler hair costs far more with the term
    assert float(coloured(painted, lighter)) == pytest.approx(float(plain(painted, lighter)), abs=1e-6)


def test_with_the_mouth_bands_detail_off_a_ghost_line_costs_what_l1_says():
    """The detail term asks for as much detail as the portrait has about each pixel, not where: over
    a smeared nose it paid for a line drawn anywhere near, and the renderer drew one from the nose
    to a corner of the mouth on most beardless faces. The traits place the nose and the mouth, so
    that band can be scored by L1 alone (--mouth-detail 0)."""
    import cv2

    from facepack.generator.measures import mouth_band
    from facepack.generator.painter import PainterGenerator
    from facepack.generator.renderer.loss import RendererLoss

    reqs = [FaceRequest(seed=s, age=20.0, nationality="SWE") for s in range(6)]
    faces = np.stack([p.image[..., :3] for p in PainterGenerator(size=128).generate(reqs)]).astype(np.float32) / 127.5 - 1
    band = mouth_band(128)
    smeared, ghost = faces.copy(), faces.copy()
    for k in range(len(faces)):
        smeared[k][band] = cv2.GaussianBlur(faces[k], (0, 0), 2.0)[band]
        ghost[k] = smeared[k]
        cv2.line(ghost[k], (64, 64), (53, 73), (ghost[k][64, 64] - 0.15).tolist(), 1, cv2.LINE_AA)

    def cost(loss, y):
        return float(np.mean(np.asarray(loss(faces, y))))

    everywhere, l1_there = (
        RendererLoss(128, 5.0, 1.0, 12.0, mouth_weight=12.0),
        RendererLoss(128, 5.0, 1.0, 12.0, mouth_weight=12.0, mouth_detail=0.0),
    )
    # on these six faces the detail term gives back about three quarters of what L1 charges for the line
    assert cost(everywhere, ghost) - cost(everywhere, smeared) < 0.5 * (cost(l1_there, ghost) - cost(l1_there, smeared))
    assert cost(l1_there, ghost) > cost(l1_there, smeared)


def test_l1_leaves_out_a_nostril_placed_on_a_quarter_of_the_faces_and_the_squared_term_draws_it_faint():
    """L1 draws a pixel's median over faces the network cannot yet tell apart: a dark dot on one
    face in four costs less left out than drawn faint on all four. Squared error on the band
    (--mouth-squared) draws the mean: the faint dot costs less."""
    from facepack.generator.measures import mouth_band
    from facepack.generator.renderer.loss import RendererLoss, squared_weights

    rows, cols = mouth_band(32)
    y, x = (rows.start + rows.stop) // 2, (cols.start + cols.stop) // 2
    faces = np.full((4, 32, 32, 3), 0.5, np.float32)
    faces[0, y, x] = -0.5  # a nostril on one face in four, 1.0 darker
    left_out = np.full_like(faces, 0.5)
    faint = left_out.copy()
    faint[:, y, x] = 0.25  # a quarter as dark, on every face

    def cost(loss, guess):
        return float(np.mean(np.asarray(loss(faces, guess))))

    l1, squared = (
        RendererLoss(32, detail=0.0, mouth_weight=12.0),
        RendererLoss(32, detail=0.0, mouth_weight=12.0, mouth_squared=8.0),
    )
    assert cost(l1, left_out) < cost(l1, faint)
    assert cost(squared, faint) < cost(squared, left_out)
    # The term counts on the band only, at its L1 weight times mouth_squared.
    w = np.ones((32, 32, 1), np.float32)
    w[rows, cols] = 3.0
    sq = squared_weights(w, 8.0)
    assert sq[rows, cols].min() == sq[rows, cols].max() == 24.0 and sq.sum() == 24.0 * sq[rows, cols].size


def test_the_eye_colour_term_charges_a_brown_iris_for_a_blue_one_and_not_its_place():
    """Told each player's eye colour, the renderer drew none blue: L1 charges an iris a pixel off
    more than one the wrong colour in place. The term compares the colour of each eye box's dark pixels."""
    from facepack.generator.renderer.loss import RendererLoss

    n = 64
    skin, blue, brown = (0.6, 0.3, 0.1), (-0.4, -0.1, 0.3), (-0.4, -0.6, -0.8)
    painted = np.tile(np.array(skin, np.float32), (1, n, n, 1))
    for c in (26, 36):  # an iris in each eye box (measures.EYE_BOXES, EYE_ROWS at 64 px: rows 23-30)
        painted[0, 26:28, c : c + 2] = blue
    in_place_brown, off_by_two_blue = painted.copy(), np.tile(np.array(skin, np.float32), (1, n, n, 1))
    for c in (26, 36):
        in_place_brown[0, 26:28, c : c + 2] = brown
        off_by_two_blue[0, 26:28, c + 2 : c + 4] = blue

    def cost(eye_colour, drawn):
        loss = RendererLoss(n, detail=0.0, eye_weight=12.0, eye_colour=eye_colour)
        return float(loss.call(painted, drawn)[0])

    assert cost(0.0, off_by_two_blue) > cost(0.0, in_place_brown)  # L1 would rather draw it brown
    term = {k: cost(10.0, d) - cost(0.0, d) for k, d in (("brown", in_place_brown), ("blue", off_by_two_blue))}
    assert term["blue"] < 1e-6 < term["brown"]
    assert cost(10.0, off_by_two_blue) < cost(10.0, in_place_brown)  # with it, blue in the wrong place


def test_a_run_from_before_the_colour_term_and_the_mouth_band_resumes(run, tmp_path):
    import shutil
    from dataclasses import replace

    from facepack.generator.renderer.loop import train_renderer

    data, out, _, settings = run
    copy = tmp_path / "old"
    shutil.copytree(out, copy)
    state = json.loads((copy / "state.json").read_text())
    for newer in ("colour", "mouth_weight", "mouth_detail", "mouth_squared", "top_width", "eye_colour"):  # as runs before them
        del state["settings"][newer]
    (copy / "state.json").write_text(json.dumps(state))
    train_renderer(data, copy, replace(settings, steps=6), log=lambda m: None)
    assert json.loads((copy / "state.json").read_text())["epoch"] == 3
    for changed in (
        {"colour": 3.0},
        {"mouth_weight": 12.0},
        {"mouth_detail": 0.0},
        {"mouth_squared": 8.0},
        {"top_width": 200},
        {"eye_colour": 10.0},
    ):
        with pytest.raises(FacepackError, match="other settings"):
            train_renderer(data, copy, replace(settings, steps=8, **changed), log=lambda m: None)


def test_evaluate_measures_a_renderer(run):
    """A traits model's condition has four parts; evaluate read three and stopped with a traceback."""
    from facepack.generator.evaluate import evaluate_generator
    from facepack.generator.learned import LearnedGenerator

    data, _, export, _ = run
    m = evaluate_generator(LearnedGenerator(export, size=32, upsampler=False), data, samples=8, repeats=1)
    assert 0.0 <= m["condition_accuracy"] <= 1.0 and len(m["c2st_runs"]) == 1
