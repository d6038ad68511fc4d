"""Players: who a face is for, and the seed that makes their face theirs alone."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date

from facepack.generator.base import FaceRequest, age_group

# FM's face-tool exports carry no birth date, and the players they are made for are
# mostly newly generated youth players (FM creates them at 15 to 17): without a birth
# date or an Age column, a face is made for this age.
UNKNOWN_AGE = 18.0


@dataclass(frozen=True)
class Player:
    line: int  # line of the roster file the player came from, 1-based
    first: str
    last: str
    birth_date: date | None  # None only where the game names files by ID (FM)
    uid: str | None = None  # the game's unique ID (digits), when the roster has one
    nationality: str | None = None
    role: str | None = None
    age: int | None = None  # an Age column, used when there is no birth date
    second_nationality: str | None = None
    skin_tone: int | None = None  # FM's 1 (lightest) .. 20 (darkest)
    ethnicity: int | None = None  # FM's ethnicity code 0..10

    @property
    def staff(self) -> bool:
        """A Non-Player row (coach, scout, ...): EHM keeps their pictures in a folder of their own."""
        return "".join(c for c in (self.role or "").casefold() if c.isalnum()) == "nonplayer"

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
        born = self.birth_date.isoformat() if self.birth_date else ""
        return f"name:{first}|{last}|{born}"


def age_at(birth_date: date, season: date) -> float:
    return (season - birth_date).days / 365.2425


def player_age(player: Player, season: date) -> float:
    """Age at the season date; without a birth date the Age column (mid-year), else UNKNOWN_AGE."""
    if player.birth_date is not None:
        return age_at(player.birth_date, season)
    if player.age is not None:
        return player.age + 0.5
    return UNKNOWN_AGE


def face_seed(identity: str, pack_seed: int) -> int:
    """A 64-bit seed from the identity and --seed alone, so no other player can change it."""
    digest = hashlib.sha256(f"facepack/{pack_seed}/{identity}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def face_request(player: Player, season: date, pack_seed: int) -> FaceRequest:
    return FaceRequest(
        seed=face_seed(player.identity, pack_seed),
        age=player_age(player, season),
        nationality=player.nationality,
        second_nationality=player.second_nationality,
        skin_tone=player.skin_tone,
        ethnicity=player.ethnicity,
    )


__all__ = ["Player", "UNKNOWN_AGE", "age_at", "age_group", "face_seed", "face_request", "player_age"]
