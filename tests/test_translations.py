"""Every user-facing string of the workspace goes through the catalogues, and the Arabic and
Sorani catalogues hold every message of the template (records/locale/, `make translations`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "records" / "locale"

# Streamlit calls whose first argument or label is shown to the user.
SHOWN = {
    "title", "header", "subheader", "caption", "markdown", "write", "text", "info", "success",
    "warning", "error", "toast", "button", "form_submit_button", "download_button",
    "link_button", "page_link", "checkbox", "toggle", "radio", "selectbox", "multiselect",
    "select_slider", "slider", "text_input", "text_area", "number_input", "date_input",
    "time_input", "file_uploader", "camera_input", "color_picker", "metric", "expander",
    "popover", "tabs", "spinner", "progress", "status", "dialog", "Page", "pills",
    "segmented_control", "feedback",
}
SHOWN_KEYWORDS = {"label", "help", "placeholder", "body", "text", "title"}
# Literal text that is not language: the product's name, symbols, bare punctuation.
NOT_LANGUAGE = {"Sijil"}
MARKERS = {"_", "ngettext"}
WORD = re.compile(r"[^\W\d_]{2,}")
# A code-shaped example such as a placeholder "INC-2020-00001" is not language either.
CODE_SHAPED = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")


def _literal_words(node: ast.AST) -> list[str]:
    """Literal text with words in an expression, outside _() and ngettext()."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in MARKERS:
            return []
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return _literal_words(node.func.value)
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
        return [text] if (WORD.search(text) and text not in NOT_LANGUAGE
                          and not CODE_SHAPED.match(text)) else []
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant)
                and isinstance(v.value, str) and WORD.search(v.value)]
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) + _literal_words(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_words(node.body) + _literal_words(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [w for item in node.elts for w in _literal_words(item)]
    return []


def unmarked_strings(source: str, name: str = "<source>") -> list[str]:
    """"file:line: text" of every literal a Streamlit call shows without translating it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in SHOWN):
            continue
        if "log" in ast.unparse(node.func.value).lower():
            continue  # logging.getLogger(...).warning(...) writes to the server's log
        shown = node.args[:1] + [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
        if node.func.attr == "tabs":
            shown = node.args[:1]
        for arg in shown:
            found += [f"{name}:{node.lineno}: {text!r}" for text in _literal_words(arg)]
    return found


def test_the_scan_finds_an_unmarked_label_and_passes_a_marked_one():
    source = '''
st.button("Save")
c1.selectbox(label="Governorate", options=codes)
st.caption(f"{n} incidents")
st.title(_("Dashboard"))
st.caption(ngettext("{n} incident", "{n} incidents", n).format(n=n))
st.markdown("—")
st.text(record.title)
st.error("Failed: {e}".format(e=error))
st.tabs([_("Details"), "History"])
st.text_input(_("Ref"), placeholder="INC-2020-00001")
logging.getLogger("sijil.ui").warning("database fault in a page")
'''
    assert unmarked_strings(source) == [
        "<source>:2: 'Save'", "<source>:3: 'Governorate'", "<source>:4: ' incidents'",
        "<source>:9: 'Failed: {e}'", "<source>:10: 'History'"]


def test_every_string_the_workspace_shows_is_marked_for_translation():
    found = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        found += unmarked_strings(path.read_text(encoding="utf-8"),
                                  str(path.relative_to(ROOT)))
    assert found == []


def _ids(catalogue) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}


def test_the_catalogues_are_the_template_merged():
    """`make translations` was run after the last marked message: every .po has the .pot's
    messages (translated or not), and nothing else that is not obsolete."""
    with open(LOCALE / "sijil.pot", "rb") as file:
        template = _ids(read_po(file))
    assert len(template) > 500
    for language in ("ar", "ckb"):
        with open(LOCALE / language / "LC_MESSAGES" / "sijil.po", "rb") as file:
            assert _ids(read_po(file)) == template, language


@pytest.mark.parametrize("language", ["ar", "ckb"])
def test_every_message_is_translated(language):
    with open(LOCALE / language / "LC_MESSAGES" / "sijil.po", "rb") as file:
        catalogue = read_po(file)
    missing = [m.id for m in catalogue if m.id and (
        not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)]
    assert missing == []
