"""preview.png: a contact sheet of the pack, names under faces, for a Workshop page or a quick look."""

from __future__ import annotations

import io
import unicodedata
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from facepack.core.atomic import write_bytes

COLUMNS = 10
TILE_WIDTH = 120
CAPTION = 30
SHEET_BG = (18, 24, 30)
TEXT = (214, 220, 226)


# Letters that do not decompose into a base letter and an accent.
_ASCII = str.maketrans(
    {"ß": "ss", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Þ": "Th", "þ": "th"}
)


@lru_cache(maxsize=1)
def _font() -> tuple[ImageFont.ImageFont | ImageFont.FreeTypeFont, bool]:
    """A font with accented letters if the system has one; else the built-in one, ASCII only."""
    for name in ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf"):
        try:
            return ImageFont.truetype(name, 11), True
        except OSError:
            continue
    return ImageFont.load_default(size=11), False


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return "".join(c for c in text if not unicodedata.combining(c)).encode("ascii", "replace").decode()


def _fit_text(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    text = text[:200]  # no caption of a 120-px tile holds more; a 200,000-letter name must not cost minutes
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def contact_sheet(faces: list[tuple[Path, str]], size: tuple[int, int], ui_colour: tuple[int, int, int]) -> Image.Image:
    """One tile per (portrait file, caption); transparent portraits shown on the UI colour."""
    w, h = size
    tw = min(TILE_WIDTH, w)
    th = round(h * tw / w)
    rows = max(1, -(-len(faces) // COLUMNS))
    cols = max(1, min(COLUMNS, len(faces)))
    pad = 6
    sheet = Image.new("RGB", (cols * (tw + pad) + pad, rows * (th + CAPTION + pad) + pad), SHEET_BG)
    draw = ImageDraw.Draw(sheet)
    font, unicode_ok = _font()
    for i, (path, caption) in enumerate(faces):
        x = pad + (i % COLUMNS) * (tw + pad)
        y = pad + (i // COLUMNS) * (th + CAPTION + pad)
        tile = Image.new("RGBA", (tw, th), ui_colour + (255,))
        try:
            with Image.open(path) as im:
                tile.alpha_composite(im.convert("RGBA").resize((tw, th), Image.Resampling.LANCZOS))
        except OSError:  # a user's own file kept in the pack need not be a picture we can read
            ImageDraw.Draw(tile).text((tw // 2 - 20, th // 2), "unreadable", fill=TEXT, font=font)
        sheet.paste(tile.convert("RGB"), (x, y))
        if not unicode_ok:
            caption = _ascii(caption)
        for k, part in enumerate(caption.split("\n")[:2]):
            draw.text((x + 2, y + th + 3 + 13 * k), _fit_text(draw, part, font, tw - 4), fill=TEXT, font=font)
    return sheet


def write_preview(path: Path, faces: list[tuple[Path, str]], size: tuple[int, int], ui_colour: tuple[int, int, int]) -> None:
    buf = io.BytesIO()
    contact_sheet(faces, size, ui_colour).save(buf, format="PNG", compress_level=6)
    write_bytes(path, buf.getvalue())
