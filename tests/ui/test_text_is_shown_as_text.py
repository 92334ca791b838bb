"""Text that did not come from the code (records, addresses, file contents, column names,
error messages) reaches a Streamlit call that renders Markdown only through the escaping
helper (ui.components.text.escape_markdown), never as it is.

The test reads every module of ui/ and checks each call of a function that renders Markdown:
its text must be a literal, a translated literal, or built only from literals, numbers and
escaped values. Anything else is a place where a crafted link (`?ref=[log in](https://…)`)
or a column name would become a clickable link or a remote image.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[2] / "ui"

# Streamlit calls whose text argument (first positional, or body=/label=) is Markdown.
MARKDOWN_CALLS = {
    "markdown", "title", "header", "subheader", "caption", "error", "warning", "info",
    "success", "toast", "write", "expander", "button", "form_submit_button", "link_button",
    "download_button", "checkbox", "toggle", "radio", "metric", "popover", "page_link",
}
TEXT_KEYWORDS = ("body", "label", "help")
ESCAPERS = {"escape_markdown"}
TRANSLATORS = {"_", "ngettext"}
NUMBER_FUNCTIONS = {"len", "int", "round", "min", "max", "sum"}
# Attributes of read models that are numbers (counts, pages, seqs, versions).
COUNTS = {"total", "pages", "page", "checked", "incidents", "victims", "created", "rows",
          "first_bad_seq", "version"}


def _name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else (
        func.id if isinstance(func, ast.Name) else None)


def _value_is_safe(node: ast.expr) -> bool:
    """A value put into Markdown: a constant, a number, or escaped text."""
    if isinstance(node, ast.Constant):
        return not isinstance(node.value, str) or _text_is_safe(node)
    if isinstance(node, ast.Call) and _name(node) in ESCAPERS | NUMBER_FUNCTIONS:
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult):
        # Arithmetic with a number literal is a number (text + 1 would fail).
        numeric = any(isinstance(side, ast.Constant) and type(side.value) in (int, float)
                      for side in (node.left, node.right))
        return numeric or (_value_is_safe(node.left) and _value_is_safe(node.right))
    if isinstance(node, ast.Attribute) and node.attr in COUNTS:
        return True
    return _text_is_safe(node)


def _text_is_safe(node: ast.expr) -> bool:
    """Markdown source whose every part comes from the code or went through an escaper."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | int | float) or node.value is None
    if isinstance(node, ast.Name):
        return node.id.isupper()  # module constants of the code
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(part, ast.Constant) or _value_is_safe(part.value)
                   for part in node.values)
    if isinstance(node, ast.IfExp):
        return _text_is_safe(node.body) and _text_is_safe(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _text_is_safe(node.left) and _text_is_safe(node.right)
    if isinstance(node, ast.Call):
        name = _name(node)
        if name in ESCAPERS:
            return True
        if name in TRANSLATORS:
            # ngettext's count only picks the form; the messages are the code's own.
            return all(isinstance(arg, ast.Constant) for arg in node.args[:2])
        if name == "format" and isinstance(node.func, ast.Attribute):
            return (_text_is_safe(node.func.value)
                    and all(_value_is_safe(arg) for arg in node.args)
                    and all(_value_is_safe(kw.value) for kw in node.keywords))
    return False


def _markdown_texts(tree: ast.AST):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _name(node) not in MARKDOWN_CALLS:
            continue
        if not isinstance(node.func, ast.Attribute):
            continue
        if node.args:
            yield node.args[0]
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS:
                yield keyword.value


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(UI.parent)}:{text.lineno}: {ast.unparse(text)}"
            for text in _markdown_texts(tree) if not _text_is_safe(text)]


@pytest.mark.parametrize("path", sorted(UI.rglob("*.py")), ids=lambda p: p.name)
def test_markdown_calls_show_outside_text_only_escaped(path):
    assert _violations(path) == []


def test_the_check_catches_text_from_outside(tmp_path):
    risky = tmp_path / "page.py"
    risky.write_text(
        "st.title(ref)\n"
        "st.error(str(error))\n"
        "st.warning(_('Unknown column {c}').format(c=column))\n"
        "st.markdown(f'**{record.title}**')\n"
        "st.title(escape_markdown(ref))\n"
        "st.caption(_('{n} rows').format(n=len(rows)))\n"
        "st.markdown(f'**{escape_markdown(record.title)}**')\n", encoding="utf-8")
    found = [line.split(": ", 1)[1] for line in _violations_at(risky)]
    assert found == ["ref", "str(error)", "_('Unknown column {c}').format(c=column)",
                     "f'**{record.title}**'"]


def _violations_at(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{text.lineno}: {ast.unparse(text)}"
            for text in _markdown_texts(tree) if not _text_is_safe(text)]
