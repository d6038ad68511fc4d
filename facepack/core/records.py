"""The shard format. One tf.train.Example per portrait:

    image        PNG bytes, RGB, square, on the UI blue
    alpha        PNG bytes, 8-bit matte (255 = subject)
    age_group    junior | senior | veteran
    region       appearance region (templates/appearance.json), or "unknown"
    complexion   skin band the generator is conditioned on (appearance.json), or "unknown"
    nationality  as given, or ""
    source       where it came from (a file path, or painter:<seed>)
    traits       float32 bytes, the painter's traits (generator/traits.py); absent where unknown

Shards are named <split>-NNNNN.tfrecord beside a dataset.json that records the
resolution, counts and how the data was made. TensorFlow is imported only here,
and only when shards are written; reading needs none.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image

from facepack.core.atomic import write_text

SHARD_SIZE = 1024


@dataclass(frozen=True)
class Sample:
    image: np.ndarray  # HxWx3 uint8
    alpha: np.ndarray  # HxW float32 in [0, 1]
    age_group: str
    region: str
    nationality: str
    source: str
    complexion: str = "unknown"
    traits: np.ndarray | None = None  # float32, generator/traits.py; None where unknown (community packs)


def _png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG", compress_level=3)
    return buf.getvalue()


def _example(s: Sample) -> bytes:
    import tensorflow as tf

    def b(v: bytes):
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=[v]))

    alpha8 = np.clip(np.rint(s.alpha * 255), 0, 255).astype(np.uint8)
    features = {
        "image": b(_png(s.image)),
        "alpha": b(_png(alpha8)),
        "age_group": b(s.age_group.encode()),
        "region": b(s.region.encode()),
        "complexion": b(s.complexion.encode()),
        "nationality": b(s.nationality.encode("utf-8")),
        "source": b(s.source.encode("utf-8")),
    }
    if s.traits is not None:
        features["traits"] = b(np.asarray(s.traits, "<f4").tobytes())
    return tf.train.Example(features=tf.train.Features(feature=features)).SerializeToString()


class SplitWriter:
    """Writes one split as shards of SHARD_SIZE; each shard appears whole (temp + rename)."""

    def __init__(self, folder: Path, split: str):
        self.folder, self.split = Path(folder), split
        self.count, self._shard, self._writer, self._tmp = 0, 0, None, None

    def write(self, sample: Sample) -> None:
        import tensorflow as tf

        if self._writer is None:
            self._tmp = self.folder / f".{self.split}-{self._shard:05d}.tfrecord.partial"
            self._writer = tf.io.TFRecordWriter(str(self._tmp))
        self._writer.write(_example(sample))
        self.count += 1
        if self.count % SHARD_SIZE == 0:
            self._finish_shard()

    def _finish_shard(self) -> None:
        self._writer.close()
        self._tmp.rename(self.folder / f"{self.split}-{self._shard:05d}.tfrecord")
        self._writer, self._shard = None, self._shard + 1

    def __enter__(self) -> SplitWriter:
        return self

    def __exit__(self, kind, *_) -> None:
        if self._writer is None:
            return
        if kind is None:
            self._finish_shard()
        else:  # an interrupted shard is not left behind to be mistaken for data
            self._writer.close()
            self._tmp.unlink(missing_ok=True)


def write_info(folder: Path, info: dict) -> None:
    write_text(folder / "dataset.json", json.dumps(info, indent=2, ensure_ascii=False) + "\n")


def read_info(folder: Path) -> dict:
    path = Path(folder) / "dataset.json"
    if not path.exists():
        from facepack.core.errors import FacepackError

        raise FacepackError(f"{folder}: not a facepack dataset (no dataset.json; make one with `facepack dataset`)")
    return json.loads(path.read_text(encoding="utf-8"))


def shards(folder: Path, split: str) -> list[Path]:
    return sorted(Path(folder).glob(f"{split}-*.tfrecord"))


def read_split(folder: Path, split: str) -> Iterator[Sample]:
    """Read without TensorFlow (facepack.core.tfrecord), so a JAX-only machine trains on the same shards."""
    from facepack.core.tfrecord import parse_example, records

    for path in shards(folder, split):
        for raw in records(path):
            ex = parse_example(raw)
            image = np.asarray(Image.open(io.BytesIO(ex["image"])).convert("RGB"))
            alpha = np.asarray(Image.open(io.BytesIO(ex["alpha"])), np.float32) / 255.0
            yield Sample(
                image,
                alpha,
                ex["age_group"].decode(),
                ex["region"].decode(),
                ex.get("nationality", b"").decode("utf-8"),
                ex.get("source", b"").decode("utf-8"),
                ex.get("complexion", b"unknown").decode(),
                np.frombuffer(ex["traits"], "<f4").copy() if "traits" in ex else None,
            )


def load_arrays(folder: Path, split: str, limit: int | None = None) -> tuple[np.ndarray, np.ndarray, list[Sample]]:
    """A split in memory: images N×S×S×3 uint8, mattes N×S×S float32, and the samples' labels."""
    from facepack.core.errors import FacepackError
    from facepack.core.tfrecord import RecordError

    images, alphas, labels = [], [], []
    try:
        for i, s in enumerate(read_split(folder, split)):
            if limit is not None and i >= limit:
                break
            images.append(s.image)
            alphas.append(s.alpha)
            labels.append(replace(s, image=np.empty(0), alpha=np.empty(0)))
    except (RecordError, KeyError, OSError) as e:
        raise FacepackError(f"{folder}: a '{split}' shard is damaged ({e}); make the dataset again") from None
    if not images:
        raise FacepackError(f"{folder}: no '{split}' shards")
    return np.stack(images), np.stack(alphas), labels
