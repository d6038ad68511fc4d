"""facepack: from a sports-management game's database export to a finished facepack.

The flow, one way: roster (roster.py, fm_export.py) -> players (players.py) -> faces
(facepack.generator) -> cut-outs (facepack.segmenter) -> portraits (compose.py) -> pack files
(build.py, naming.py, config_xml.py, manifest.py, preview.py) -> release (validate.py,
workshop.py). facepack.core is the ground floor every layer shares; it imports nothing above it.
"""

from pathlib import Path as _Path

__version__ = "0.2.0"

# Installed, generator/, segmenter/ and templates/ are inside this package. In a checkout they sit
# beside it (the repository's layout): the same names then resolve there.
_checkout = _Path(__file__).resolve().parent.parent
if not (_Path(__file__).parent / "generator").is_dir() and (_checkout / "generator" / "__init__.py").is_file():
    __path__.append(str(_checkout))  # type: ignore[name-defined]
