"""Players: who a face is for, and the seed that makes their face theirs alone."""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date

from generator.base import FaceRequest, age_group


@dataclass(frozen=True)
class Player:
    line: int  # line of the roster file the player came from, 1-based
    first: str
    last: str
    birth_date: date
    uid: str | None = None  # the game's unique ID (digits), when the roster has one
    nationality: str | None = None
    role: str | None = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}".strip()

    @property
    def identity(self) -> str:
        """What a face is a function of. The ID when there is one: names get corrected, IDs stay."""
        if self.uid:
            return f"id:{self.uid}"
        first = unicodedata.normalize("NFC", self.first).casefold()
        last = unicodedata.normalize("NFC", self.last).casefold()
        return f"name:{first}|{last}|{self.birth_date.isoformat()}"


def age_at(birth_date: date, season: date) -> float:
    return (season - birth_date).days / 365.2425


def face_seed(identity: str, pack_seed: int) -> int:
    """A 64-bit seed from the identity and --seed alone, so no other player can change it."""
    digest = hashlib.sha256(f"facepack/{pack_seed}/{identity}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little")


def face_request(player: Player, season: date, pack_seed: int) -> FaceRequest:
    return FaceRequest(seed=face_seed(player.identity, pack_seed), age=age_at(player.birth_date, season),
                       nationality=player.nationality)


__all__ = ["Player", "age_at", "age_group", "face_seed", "face_request"]
