"""Which roster line first held a key: a hash table over two numpy arrays.

A build holds one entry for every person of the roster (whole-database exports run to hundreds
of thousands), to say "same file as line N". As a Python dict of 16-byte digests to line
numbers that cost about 150 bytes an entry (the bytes object, the int, the dict slot); here an
entry is 20 bytes in a table kept at most half full, and nothing is allocated per entry.
"""

from __future__ import annotations

import hashlib

import numpy as np


def digest(text: str, kind: bytes = b"") -> bytes:
    """16 bytes standing for `text`: deterministic (Python's str hash is not), and two texts share
    one with odds of about 1e-27 at a million. `kind` keeps two tables' keys apart."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16, person=kind).digest()


class LineTable:
    """16-byte digest -> first line (lines are 1-based; 0 marks an empty slot), open addressing."""

    def __init__(self, capacity: int = 1024) -> None:
        self._keys = np.zeros((capacity, 2), np.uint64)
        self._lines = np.zeros(capacity, np.int32)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def _slot(self, hi: int, lo: int) -> int:
        """Where the key is, or the empty slot where it would go (linear probing)."""
        mask = len(self._lines) - 1
        i = lo & mask
        keys, lines = self._keys, self._lines
        while lines[i] and (int(keys[i, 0]) != hi or int(keys[i, 1]) != lo):
            i = (i + 1) & mask
        return i

    def get(self, key: bytes) -> int | None:
        i = self._slot(*_halves(key))
        line = int(self._lines[i])
        return line or None

    def setdefault(self, key: bytes, line: int) -> int:
        """The line already held for `key`, else `line`, now held."""
        if line < 1:
            raise ValueError(f"lines are 1-based, got {line}")
        hi, lo = _halves(key)
        i = self._slot(hi, lo)
        if self._lines[i]:
            return int(self._lines[i])
        self._keys[i] = (hi, lo)
        self._lines[i] = line
        self._count += 1
        if 2 * self._count > len(self._lines):
            self._grow()
        return line

    def _grow(self) -> None:
        held = self._lines > 0
        keys, lines = self._keys[held], self._lines[held]
        self._keys = np.zeros((2 * len(held), 2), np.uint64)
        self._lines = np.zeros(2 * len(held), np.int32)
        for (hi, lo), line in zip(keys.tolist(), lines.tolist()):
            i = self._slot(hi, lo)
            self._keys[i] = (hi, lo)
            self._lines[i] = line


def _halves(key: bytes) -> tuple[int, int]:
    return int.from_bytes(key[:8], "little"), int.from_bytes(key[8:16], "little")
