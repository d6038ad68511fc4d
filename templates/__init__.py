"""Game profiles, the appearance table and XML skeletons, as data files.

Found through importlib.resources so that they load the same from a checkout and
from an installed wheel.
"""

import json
from importlib.resources import files
from typing import Any


def read_text(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def read_json(name: str) -> Any:
    return json.loads(read_text(name))
