"""The appearance table (templates/appearance.json): how nationality, and what an FM export tells
of a player, set the odds of how he looks. Read by the painter, the learned generator (for the
complexion it is asked for) and dataset cleaning, so it lives on the ground floor."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from facepack import templates


@lru_cache(maxsize=1)
def appearance_table() -> dict[str, Any]:
    return templates.read_json("appearance.json")


def region_mix(nationality: str | None, table: dict[str, Any]) -> dict[str, float]:
    """The region weights for a roster's nation cell: a code, an English name, or nothing."""
    if nationality:
        key = nationality.strip()
        by_code = {k.casefold(): v for k, v in table["nationalities"].items()}
        code = table["names"].get(key.casefold(), key)
        mix = by_code.get(code.casefold())
        if mix:
            return mix
    return table["default"]


def _normalised(mix: dict[str, float]) -> dict[str, float]:
    total = sum(mix.values())
    return {k: v / total for k, v in mix.items()} if total > 0 else dict(mix)


def appearance_mix(
    nationality: str | None, second_nationality: str | None, ethnicity: int | None, table: dict[str, Any]
) -> dict[str, float]:
    """The region weights for what an export tells of a player.

    A second nationality adds its own mix at half weight. FM's ethnicity code says which
    regions are possible at all (appearance.json's `ethnicities`); within them the
    nationalities set the odds, as P(region | ethnicity, nations) ~ P(ethnicity | region) *
    P(region | nations), with a small floor so that an ethnicity no nation explains (a
    Japanese-Italian with the code for East Asian) still gets its own regions."""
    mix = region_mix(nationality, table)  # as it is, so that a player without hints draws as he always did
    if second_nationality and second_nationality.strip():
        mix = _normalised(mix)
        for k, v in _normalised(region_mix(second_nationality, table)).items():
            mix[k] = mix.get(k, 0.0) + 0.5 * v
    eth = table["ethnicities"].get(str(ethnicity)) if ethnicity is not None else None
    if not eth:
        return mix
    mix = _normalised(mix)
    return {region: w * (mix.get(region, 0.0) + 0.05) for region, w in eth.items() if w > 0}


def complexion_of(t: float, table: dict[str, Any]) -> str:
    """The complexion band of a position on the skin ramp (appearance.json's `complexions`)."""
    name = table["complexions"][0][0]
    for band, start in table["complexions"]:
        if t >= start:
            name = band
    return name
