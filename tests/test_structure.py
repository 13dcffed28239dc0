"""The package's own shape: what one module may take from another (the layers are import-linter's job)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ttdk_xl"


def _private_uses(path: Path) -> list[str]:
    """`from ttdk_xl.x import _name` and `module._name` of a ttdk_xl module, in one source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ttdk_xl"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}:{node.lineno} from {node.module} import {alias.name}")
                else:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update((a.asname or a.name).split(".")[0] for a in node.names if a.name.startswith("ttdk_xl"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            found.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_no_module_of_the_package_uses_another_ones_private_names():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 30
    assert [use for path in files for use in _private_uses(path)] == []


def test_the_scan_sees_a_private_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from ttdk_xl.forms import template\nfrom ttdk_xl.outputs.report import _x\ntemplate._y(1)\n")
    assert _private_uses(sample) == ["sample.py:2 from ttdk_xl.outputs.report import _x", "sample.py:3 template._y"]
