"""Whatever bytes a user feeds it, the roster reader reads them or says why in one line."""

import random

import pytest
from conftest import EXAMPLES, SEASON

from facepack.core.errors import FacepackError
from facepack.naming import MAX_NAME_BYTES, file_name, inside
from facepack.profiles import load_profile
from facepack.roster import Roster, read_roster

PROFILES = [load_profile("ehm"), load_profile("fm")]

SEEDS = range(300)


def mutate(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 40)):
        op = rng.random()
        i = rng.randrange(len(data) + 1)
        if op < 0.4 and data:
            data[min(i, len(data) - 1)] = rng.randrange(256)
        elif op < 0.6:
            data[i:i] = rng.choice([b",", b";", b"\t", b'"', b"\n", b"\r", b"\x00", b"31.02.", b"\xff\xfe", b"\xef\xbb\xbf"])
        elif op < 0.8 and data:
            del data[i : i + rng.randint(1, 20)]
        else:
            data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
    return bytes(data)


@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_exports_never_crash(tmp_path, seed):
    rng = random.Random(seed)
    source = (EXAMPLES / ("league.csv" if seed % 2 else "league_header.csv")).read_bytes()
    data = mutate(source, rng) if seed % 5 else bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))
    path = tmp_path / "r.csv"
    path.write_bytes(data)
    try:
        roster = read_roster(path, season=SEASON, include_staff=bool(seed % 3))
    except FacepackError as e:
        assert "\n" not in str(e)
        return
    assert isinstance(roster, Roster)
    for s in roster.skipped:
        assert s.line >= 1 and s.reason and "\n" not in s.reason
    for player in roster.players:
        for profile in PROFILES:
            try:
                name = file_name(player, profile)
            except FacepackError as e:
                assert "\n" not in str(e)
                continue
            assert inside(tmp_path, name).parent == tmp_path and len(name.encode("utf-8")) <= MAX_NAME_BYTES
