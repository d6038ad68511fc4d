"""Reading TFRecord shards of tf.train.Example without TensorFlow.

The GPU machine we train on has JAX but no TensorFlow, and a data loader needs only
the framing (length, CRC, payload, CRC) and the few protobuf fields an Example of
byte strings uses. Writing stays with TensorFlow (facepack.core.records).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Iterator


class RecordError(ValueError):
    pass


def records(path: Path) -> Iterator[bytes]:
    """The payloads of one .tfrecord file. CRCs are not checked (a cut-off file still fails)."""
    with open(path, "rb") as f:
        while True:
            head = f.read(12)
            if not head:
                return
            if len(head) < 12:
                raise RecordError(f"{path}: truncated record header")
            (length,) = struct.unpack("<Q", head[:8])
            data = f.read(length)
            if len(data) < length or len(f.read(4)) < 4:
                raise RecordError(f"{path}: truncated record")
            yield data


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        if i >= len(buf):
            raise RecordError("truncated varint")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def _fields(buf: bytes) -> Iterator[tuple[int, bytes | int]]:
    """(field number, value) of a protobuf message: bytes for length-delimited fields."""
    i = 0
    while i < len(buf):
        tag, i = _varint(buf, i)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            value, i = _varint(buf, i)
            yield field, value
        elif wire == 2:
            n, i = _varint(buf, i)
            if i + n > len(buf):
                raise RecordError("truncated field")
            yield field, buf[i : i + n]
            i += n
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise RecordError(f"unsupported wire type {wire}")


def parse_example(data: bytes) -> dict[str, bytes]:
    """The bytes features of a serialized tf.train.Example (first value of each)."""
    out: dict[str, bytes] = {}
    for f, features in _fields(data):
        if f != 1:
            continue
        for g, entry in _fields(features):  # Features.feature: map<string, Feature>
            if g != 1:
                continue
            key, value = "", b""
            for h, part in _fields(entry):
                if h == 1:
                    key = part.decode("utf-8")
                elif h == 2:
                    for k, bytes_list in _fields(part):  # Feature.bytes_list
                        if k == 1:
                            for m, v in _fields(bytes_list):
                                if m == 1:
                                    value = v
                                    break
            out[key] = value
    return out
