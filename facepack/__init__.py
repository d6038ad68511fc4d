"""facepack: from a sports-management game's database export to a finished facepack."""

__version__ = "0.2.0"
