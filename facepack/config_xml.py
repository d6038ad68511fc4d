"""config.xml: the file that maps portrait files to people's unique IDs.

Written in the form modders know (a <record> with preload and amap off and a
<list id="maps"> of <record from="FILE_STEM" to="graphics/pictures/person/UID/portrait"/>).
A re-run merges into the file already in the pack: entries stay, ours are added
or updated, comments and any other settings are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from lxml import etree

from facepack import templates
from facepack.core.errors import FacepackError

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True, huge_tree=False)


def parse(data: bytes, source: str = "config.xml") -> etree._Element:
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as e:
        raise FacepackError(f"{source}: not valid XML ({e.msg}); fix it, or pass --overwrite to write a new one") from None
    if root.tag != "record":
        raise FacepackError(f"{source}: top element is <{root.tag}>, expected <record>; pass --overwrite to replace it")
    return root


def _ensure_boolean(root: etree._Element, key: str, position: int) -> None:
    if root.find(f"boolean[@id='{key}']") is None:
        root.insert(position, etree.Element("boolean", id=key, value="false"))


def render(existing: bytes | None, maps: Iterable[tuple[str, str]], source: str = "config.xml") -> bytes:
    """The config.xml text: `existing` (or the template) with `maps` (from, to) merged in."""
    root = parse(existing if existing is not None else templates.read_text("config.xml").encode("utf-8"), source)
    _ensure_boolean(root, "preload", 0)
    _ensure_boolean(root, "amap", 1)
    maps_el = root.find("list[@id='maps']")
    if maps_el is None:
        maps_el = etree.SubElement(root, "list", id="maps")
    index = {rec.get("from"): rec for rec in maps_el.findall("record")}
    for stem, target in maps:
        rec = index.get(stem)
        if rec is None:
            index[stem] = etree.SubElement(maps_el, "record", attrib={"from": stem, "to": target})
        else:
            rec.set("to", target)
    etree.indent(root, space="\t")
    return etree.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def mapped_uids(path: Path) -> set[str]:
    """The unique IDs an installed pack's config.xml maps to a picture (lenient: any readable records)."""
    try:
        root = etree.fromstring(path.read_bytes(), etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except (OSError, etree.XMLSyntaxError):
        return set()
    if root is None:
        return set()
    return {uid for _, uid in mapped_files(root)}


def mapped_files(root: etree._Element) -> list[tuple[str, str]]:
    """(file stem, unique ID) of every picture mapping; FM24's `r-UID` (generated players) is the ID too."""
    found = []
    for rec in root.iter("record"):
        uid = uid_of_target(rec.get("to") or "")
        if uid is not None and rec.get("from") is not None:
            found.append((rec.get("from"), uid))
    return found


def uid_of_target(target: str) -> str | None:
    parts = target.strip("/").split("/")
    if len(parts) >= 2 and parts[-1] == "portrait":
        uid = parts[-2][2:] if parts[-2].startswith("r-") else parts[-2]
        if uid.isascii() and uid.isdigit():
            return uid
    return None
