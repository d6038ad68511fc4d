"""The models facepack knows: the shipped defaults and any a user names, with their model cards."""

from __future__ import annotations

from pathlib import Path

from facepack.core.errors import FacepackError
from facepack.core.modelcard import read_card
from facepack.generator import DEFAULT_GENERATOR

HEADLINE_METRICS = (
    "mean_iou",
    "boundary_px",
    "spill_ratio_vs_chroma",
    "c2st_accuracy",
    "condition_accuracy",
    "near_duplicate_rate",
)


def model_entries(paths: list[Path]) -> list[dict]:
    """One entry per model: role, name, whether build uses it by default, its file and its card."""
    from facepack.generator.learned import default_model_path as default_generator_path
    from facepack.generator.learned import default_upsampler_path
    from facepack.segmenter.learned import default_model_path as default_segmenter_path
    from facepack.segmenter.selfie import default_model_path as selfie_path

    gen, seg = default_generator_path(), default_segmenter_path()
    entries = [
        {
            "role": "generator",
            "name": "learned",
            "default": DEFAULT_GENERATOR == "learned",
            "path": str(gen) if gen.exists() else None,
            "card": read_card(gen) if gen.exists() else {},
        },
        {
            "role": "generator",
            "name": "painter",
            "default": DEFAULT_GENERATOR == "painter",
            "path": None,
            "card": {"kind": "generator", "architecture": "procedural portrait painter"},
        },
        {
            # The learned generator's second stage: it doubles that generator's faces, so it is the
            # default wherever the learned generator is.
            "role": "upsampler",
            "name": "learned",
            "default": DEFAULT_GENERATOR == "learned",
            "path": str(default_upsampler_path()) if default_upsampler_path().exists() else None,
            "card": read_card(default_upsampler_path()) if default_upsampler_path().exists() else {},
        },
        {
            "role": "segmenter",
            "name": "learned",
            "default": True,
            "path": str(seg) if seg.exists() else None,
            "card": read_card(seg) if seg.exists() else {},
        },
        {
            "role": "segmenter",
            "name": "selfie",
            "default": False,  # build's default is the learned one; `cutout` defaults to this one
            "path": str(selfie_path()),
            "card": read_card(selfie_path()),
        },
    ]
    for p in paths:
        if not p.exists():
            raise FacepackError(f"{p}: no such model")
        card = read_card(p)
        entries.append({"role": card.get("kind", "unknown"), "name": p.stem, "default": False, "path": str(p), "card": card})
    return entries


def describe(entry: dict) -> str:
    """One line: role, name, file and the headline measures of its card."""
    m = entry["card"].get("metrics", {})
    shown = [f"{k} {m[k]}" for k in HEADLINE_METRICS if k in m]
    nested = (("photographs", "mean_iou"), ("people", "mean_agreement"), ("side_by_side", "sharpness_ratio"))
    nested += (("side_by_side", "lookalike_share"), ("side_by_side", "lower_face_unlike"), ("side_by_side", "meets_bars"))
    nested += (("model", "sharpness_ratio"), ("cubic", "sharpness_ratio"))  # the upsampler's, against the filter
    nested += (("people", "largest_sharpness_ratio"), ("people", "error_to_cubic"))  # the upsampler on photographs
    shown += [f"{group} {key} {m[group][key]}" for group, key in nested if isinstance(m.get(group), dict) and key in m[group]]
    measures = ", ".join(shown)
    return (
        f"{entry['role']:9} {entry['name']:12} {'(default) ' if entry['default'] else ''}{entry['path'] or 'built in'}"
        f"{'  ' + measures if measures else ''}"
    )
