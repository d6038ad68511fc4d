"""The table the build plans with: a dict's answers, in numpy arrays."""

import random

import pytest

from facepack.core.linetable import LineTable, digest


def test_the_table_answers_as_a_dict_does_through_growth():
    table, same = LineTable(capacity=4), {}
    rng = random.Random(3)
    for line in range(1, 3001):
        key = f"player{rng.randrange(1500)}"
        assert table.setdefault(digest(key), line) == same.setdefault(key, line)
    assert len(table) == len(same)
    assert all(table.get(digest(k)) == v for k, v in same.items())
    assert table.get(digest("nobody")) is None
    assert len(table._lines) >= 2 * len(same)  # kept at most half full


def test_kinds_keep_keys_apart_and_lines_start_at_one():
    assert digest("123") != digest("123", b"uid")
    assert digest("Å_Ö", b"uid") == digest("Å_Ö", b"uid")
    with pytest.raises(ValueError):
        LineTable().setdefault(digest("x"), 0)
