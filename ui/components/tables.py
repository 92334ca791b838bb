"""Tables of rows, in the reading direction of the page.

Streamlit draws a dataframe on a canvas that always runs left to right, whatever the page's
direction; on an Arabic or Sorani page the first column must be the rightmost, so the
columns are given in reverse order there. Every table of the workspace goes through here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ui.i18n import is_right_to_left


def in_reading_order(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its columns reversed on a right-to-left page, as it is otherwise."""
    return frame[frame.columns[::-1]] if is_right_to_left() else frame


def show_table(rows: pd.DataFrame | list[dict[str, Any]], **options: Any):
    """`st.dataframe` of `rows` (a frame or a list of dicts sharing their keys), first column
    at the start of the line in the page's language, no index, full width unless told."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    options.setdefault("hide_index", True)
    options.setdefault("width", "stretch")
    return st.dataframe(in_reading_order(frame), **options)
