import pytest
from lxml import etree

from facepack.config_xml import mapped_uids, render
from facepack.core.errors import FacepackError


def records(xml: bytes) -> dict[str, str]:
    root = etree.fromstring(xml)
    return {r.get("from"): r.get("to") for r in root.find("list[@id='maps']").findall("record")}


def test_fresh_config_has_the_form_modders_know():
    xml = render(None, [("41000310", "graphics/pictures/person/41000310/portrait")])
    root = etree.fromstring(xml)
    assert root.tag == "record"
    assert root.find("boolean[@id='preload']").get("value") == "false"
    assert root.find("boolean[@id='amap']").get("value") == "false"
    assert records(xml) == {"41000310": "graphics/pictures/person/41000310/portrait"}


def test_special_characters_are_escaped():
    stem = 'Tom & "Jerry" <O\'Neil>_01_01_2000'
    xml = render(None, [(stem, "graphics/pictures/person/1/portrait")])
    assert b"&amp;" in xml and b"&lt;" in xml
    assert records(xml) == {stem: "graphics/pictures/person/1/portrait"}


def test_merge_keeps_existing_entries_and_comments_and_updates_ours():
    old = b"""<record>
  <!-- made by hand -->
  <boolean id="preload" value="false"/>
  <boolean id="amap" value="false"/>
  <list id="maps">
    <record from="999" to="graphics/pictures/person/999/portrait"/>
    <record from="Ann_Lee_01_01_2000" to="graphics/pictures/person/5/portrait"/>
  </list>
</record>"""
    xml = render(
        old, [("Ann_Lee_01_01_2000", "graphics/pictures/person/7/portrait"), ("12", "graphics/pictures/person/12/portrait")]
    )
    assert records(xml) == {
        "999": "graphics/pictures/person/999/portrait",
        "Ann_Lee_01_01_2000": "graphics/pictures/person/7/portrait",
        "12": "graphics/pictures/person/12/portrait",
    }
    assert b"made by hand" in xml


def test_render_is_stable_on_a_rerun():
    once = render(None, [("1", "graphics/pictures/person/1/portrait")])
    assert render(once, [("1", "graphics/pictures/person/1/portrait")]) == once


def test_missing_parts_are_added():
    xml = render(b"<record/>", [("1", "graphics/pictures/person/1/portrait")])
    root = etree.fromstring(xml)
    assert root.find("boolean[@id='preload']") is not None and root.find("boolean[@id='amap']") is not None


@pytest.mark.parametrize("bad, message", [(b"<record><list>", "not valid XML"), (b"<maps/>", "expected <record>")])
def test_broken_config_is_refused(bad, message):
    with pytest.raises(FacepackError, match=message):
        render(bad, [])


def test_entities_are_not_expanded():
    evil = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><record><list id="maps"><record from="&x;" to="a"/></list></record>'
    try:
        xml = render(evil, [])
    except FacepackError:
        return
    assert b"root:" not in xml


def test_mapped_uids(tmp_path):
    path = tmp_path / "config.xml"
    path.write_bytes(render(None, [("a", "graphics/pictures/person/77/portrait"), ("b", "graphics/pictures/person/x/portrait")]))
    assert mapped_uids(path) == {"77"}
    (tmp_path / "junk.xml").write_bytes(b"\x00\x01")
    assert mapped_uids(tmp_path / "junk.xml") == set()
