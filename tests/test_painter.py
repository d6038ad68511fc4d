import numpy as np

from facepack.core.appearance import appearance_table, complexion_of, region_mix
from facepack.generator import UI_BLUE, FaceRequest, load_generator
from facepack.generator.painter.look import sample_look


def test_same_seed_same_pixels_and_different_seeds_differ():
    g = load_generator("painter", size=64)
    a, b, c = g.generate([FaceRequest(1, 25.0, "CAN"), FaceRequest(1, 25.0, "CAN"), FaceRequest(2, 25.0, "CAN")])
    assert np.array_equal(a.image, b.image) and np.array_equal(a.matte, b.matte)
    assert not np.array_equal(a.image, c.image)


def test_matte_is_exact_where_there_is_no_subject():
    [p] = load_generator("painter", size=96).generate([FaceRequest(5, 30.0, "SWE")])
    assert p.image.shape == (96, 96, 3) and p.matte.shape == (96, 96)
    assert 0.0 <= p.matte.min() and p.matte.max() <= 1.0
    clear = p.matte == 0
    assert clear.mean() > 0.2 and (p.image[clear] == np.array(UI_BLUE)).all()
    assert (p.matte[-1] > 0.99).mean() > 0.6  # shoulders fill the bottom edge
    assert p.matte[0].max() < 0.01  # nothing touches the top edge


def test_age_shows():
    young = [sample_look(s, 18.0, "CAN") for s in range(150)]
    old = [sample_look(s, 38.0, "CAN") for s in range(150)]
    mean = lambda looks, f: float(np.mean([f(l) for l in looks]))
    assert mean(old, lambda l: l.wrinkles) > mean(young, lambda l: l.wrinkles) + 0.4
    assert mean(old, lambda l: l.recession) > mean(young, lambda l: l.recession) + 0.3
    assert mean(old, lambda l: l.facial_hair != "none") > mean(young, lambda l: l.facial_hair != "none") + 0.2
    grey = lambda l: 1.0 - np.ptp(l.hair) / max(1.0, max(l.hair))  # low saturation
    assert mean(old, grey) > mean(young, grey)


def test_each_age_group_carries_its_own_cues():
    # The learned generator is conditioned on the group, so the painter's data must show it.
    juniors = [sample_look(s, a, "CAN") for s, a in zip(range(200), np.linspace(17, 20.9, 200))]
    seniors = [sample_look(s, a, "CAN") for s, a in zip(range(200), np.linspace(21, 31.9, 200))]
    veterans = [sample_look(s, a, "CAN") for s, a in zip(range(200), np.linspace(32, 40, 200))]
    assert all(l.facial_hair == "none" and l.recession == 0 and l.wrinkles == 0 for l in juniors)
    assert np.mean([l.facial_hair != "none" for l in seniors]) > 0.85
    assert all(l.wrinkles <= 0.25 for l in seniors) and all(l.wrinkles >= 0.45 for l in veterans)
    saturation = lambda l: np.ptp(l.hair) / max(1.0, max(l.hair))
    assert np.mean([saturation(l) for l in veterans]) < np.mean([saturation(l) for l in seniors]) - 0.15


def test_complexion_is_the_band_of_the_skin_ramp():
    table = appearance_table()
    assert [complexion_of(t, table) for t in (0.0, 0.19, 0.2, 0.54, 0.55, 1.0)] == [
        "fair",
        "fair",
        "medium",
        "medium",
        "dark",
        "dark",
    ]
    assert np.mean([sample_look(s, 25.0, "NGA").complexion == "dark" for s in range(200)]) > 0.95
    assert np.mean([sample_look(s, 25.0, "SWE").complexion == "fair" for s in range(200)]) > 0.9
    luminance = {c: [] for c in ("fair", "medium", "dark")}
    for s in range(300):
        look = sample_look(s, 25.0, ("SWE", "BRA", "IND", "NGA")[s % 4])
        luminance[look.complexion].append(np.dot(look.skin, [0.3, 0.59, 0.11]))
    fair, medium, dark = (np.mean(luminance[c]) for c in ("fair", "medium", "dark"))
    assert fair > medium + 15 and medium > dark + 30


def test_nationality_steers_appearance():
    luminance = lambda nat: np.mean([np.dot(sample_look(s, 25.0, nat).skin, [0.3, 0.59, 0.11]) for s in range(120)])
    assert luminance("NGA") < luminance("SWE") - 60
    blond = lambda nat: np.mean([np.mean(sample_look(s, 22.0, nat).hair) > 150 for s in range(200)])
    assert blond("SWE") > blond("JPN") + 0.2


def test_nationality_by_name_code_or_unknown():
    table = appearance_table()
    assert region_mix("Sweden", table) == region_mix("swe", table) == table["nationalities"]["SWE"]
    assert region_mix("Atlantis", table) == region_mix(None, table) == table["default"]


def test_a_painted_set_is_varied():
    looks = [sample_look(s, 26.0, "CAN") for s in range(64)]
    assert len({l.hair_style for l in looks}) >= 6
    assert len({l.facial_hair for l in looks}) >= 4
    assert len({l.jersey for l in looks}) >= 8
