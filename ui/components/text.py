"""Showing user-supplied text as text, never as Markdown or HTML."""

from __future__ import annotations

import re

import streamlit as st

# Every ASCII punctuation character may be backslash-escaped in CommonMark; Streamlit adds
# its own syntax on top (:colour[...], :material/icon:, $math$), so escape all of them.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^%@/])")

# Static CSS without any user data: the browser picks the direction of each paragraph of
# text fields and cells, so Arabic names and narratives read right-to-left.
BIDI_CSS = """
<style>
textarea, input, [data-testid="stText"], [data-testid="stMarkdownContainer"] p,
[data-testid="stMarkdownContainer"] li, [data-testid="stCode"] code, td, th {
  unicode-bidi: plaintext;
  text-align: start;
}
[data-testid="stCode"] code { white-space: pre-wrap; }
</style>
"""


# The renderer turns bare addresses (https://…, www.…, name@host) into links after
# escapes are read, so no escape can stop it; an invisible word joiner inside each pattern
# does, and the text still reads the same.
_ADDRESS = re.compile(r"(://|(?i:www)(?=\.)|@)")
_JOINER = "\u2060"


def escape_markdown(text: object) -> str:
    """`text` as Markdown source that renders exactly as the characters typed: no emphasis,
    no link, no image, no address made clickable."""
    value = "" if text is None else str(text)
    value = _ADDRESS.sub(lambda m: ":" + _JOINER + "//" if m.group(1) == "://"
                         else m.group(1) + _JOINER, value)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value).replace("\n", "  \n")


def apply_bidi_css() -> None:
    st.html(BIDI_CSS)


def labelled(label: str, value: object) -> None:
    """A read-only field: the label in bold, the user's value as plain text."""
    st.markdown(f"**{escape_markdown(label)}**")
    st.text("—" if value in (None, "", []) else str(value))
