"""The layout's size rules (issue 16, docs/architecture.md) hold for every module of the package.

* A module has at most 400 lines, or its docstring says why not in a sentence that starts
  "Longer than 400 lines because".
* A function body (its docstring left out) has at most 80 lines, or the line just above its
  ``def`` (or its first decorator) is a comment that starts ``# long:`` and says why (an argument
  table, a parser that lists every option).

Sizes are rules of thumb, not laws, so the escape is written where a reader sees it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from tests.helpers.paths import ROOT

PACKAGE = ROOT / "controlroom_sim"
MODULE_LINES = 400
FUNCTION_LINES = 80
MODULE_REASON = "Longer than 400 lines because"
FUNCTION_REASON = "# long:"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = node.body
    first = body[0]
    is_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    if is_doc and isinstance(first.value.value, str):
        if len(body) == 1:
            return 0
        first = body[1]
    return (node.end_lineno or first.lineno) - first.lineno + 1


def long_modules() -> list[str]:
    out = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        doc = ast.get_docstring(ast.parse(text)) or ""
        if lines > MODULE_LINES and MODULE_REASON not in " ".join(doc.split()):
            out.append(f"{path.relative_to(PACKAGE.parent)}: {lines} lines")
    return out


def long_functions() -> list[str]:
    out = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            size = _body_lines(node)
            top = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            above = lines[top - 2].strip() if top >= 2 else ""
            if size > FUNCTION_LINES and not above.startswith(FUNCTION_REASON):
                out.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}: {size}")
    return out


def test_no_module_is_long_without_a_reason() -> None:
    assert long_modules() == []


def test_no_function_is_long_without_a_reason() -> None:
    assert long_functions() == []


def test_the_rules_see_a_long_module_and_a_long_function(tmp_path: Path, monkeypatch) -> None:
    """The checks find what they are for: a 401-line module and an 81-line function."""
    package = tmp_path / "controlroom_sim"
    package.mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(81))
    (package / "long.py").write_text(
        '"""A module."""\n\n\ndef f():\n    """Doc."""\n' + body + "\n" + "\n" * 320
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    assert long_modules() == ["controlroom_sim/long.py: 406 lines"]
    assert long_functions() == ["controlroom_sim/long.py:4 f: 81"]
