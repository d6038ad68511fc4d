"""The house's shape: a ground floor that imports nothing above it, model packages that never reach
up into pack assembly or the CLI, no import cycles, and one name in site-packages."""

from __future__ import annotations

import ast
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {
    "facepack": ROOT / "facepack",
    "facepack.generator": ROOT / "generator",
    "facepack.segmenter": ROOT / "segmenter",
    "facepack.templates": ROOT / "templates",
}


def modules() -> dict[str, Path]:
    found = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = [p for p in path.relative_to(folder).with_suffix("").parts if p != "__init__"]
            found[".".join([package, *parts])] = path
    return found


def imports(path: Path, top_level_only: bool = False) -> set[str]:
    """The facepack modules a file imports (relative imports are not used in this code base)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("facepack")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("facepack"):
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def resolve(name: str, known: dict[str, Path]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


MODS = modules()


@pytest.mark.parametrize(
    "layer, allowed",
    [
        ("facepack.core", ("facepack.core", "facepack.templates")),
        ("facepack.generator", ("facepack.core", "facepack.generator", "facepack.templates")),
        ("facepack.segmenter", ("facepack.core", "facepack.segmenter", "facepack.generator", "facepack.templates")),
    ],
)
def test_lower_floors_never_import_upward(layer, allowed):
    wrong = []
    for name, path in MODS.items():
        if name == layer or name.startswith(layer + "."):
            for target in imports(path):
                hit = resolve(target, MODS)
                if hit and hit != "facepack" and not any(hit == a or hit.startswith(a + ".") for a in allowed):
                    wrong.append(f"{name} -> {hit}")
    assert not wrong, wrong


def test_no_import_cycles():
    graph = {
        name: {resolve(t, MODS) for t in imports(path, top_level_only=True)} - {None, name, "facepack"}
        for name, path in MODS.items()
    }
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join(trail[trail.index(nxt) :] + [nxt]))
            if nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_only_facepack_lands_in_site_packages():
    files = metadata.distribution("facepack").files or []
    if any("__editable__" in str(f) for f in files):
        pytest.skip("an editable install maps the checkout; CI's regular install is checked")
    tops = {str(f).split("/")[0] for f in files} - {".."}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"facepack"}


def test_every_package_folder_is_packaged():
    """pyproject.toml lists the packages one by one: a new folder left out installs without it,
    and only CI's regular install (not an editable one) would find out."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    folders = {
        ".".join([package, *init.parent.relative_to(folder).parts])
        for package, folder in PACKAGES.items()
        for init in folder.rglob("__init__.py")
    }
    assert folders <= listed, sorted(folders - listed)


@pytest.mark.parametrize(
    "args", [["--help"], ["games"], ["build", "ROSTER", "--generator", "painter", "--segmenter", "chroma", "-q"]]
)
def test_commands_without_a_network_never_import_tensorflow(tmp_path, args):
    """TensorFlow's import costs seconds and half a gigabyte: only a learned model may pay it."""
    import subprocess
    import sys

    roster = tmp_path / "r.csv"
    roster.write_text("1,Ann,Lee,01.01.2000\n", encoding="utf-8")
    argv = [str(roster) if a == "ROSTER" else a for a in args] + (["--out", str(tmp_path / "p")] if args[0] == "build" else [])
    code = (
        "import sys\nfrom facepack.cli import app\n"
        f"sys.argv = ['facepack', *{argv!r}]\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print('TF' if 'tensorflow' in sys.modules else 'no TF', file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert r.stderr.strip().splitlines()[-1] == "no TF", r.stderr[-500:]
