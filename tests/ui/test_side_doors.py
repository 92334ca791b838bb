"""Text from the address bar and from uploaded files is shown as text: a crafted link
cannot put a clickable "log in here" link or a remote image on a page."""

from __future__ import annotations

from tests.ui.conftest import no_exceptions, shown
from ui.components.text import escape_markdown

INCIDENT = "app_pages/incident.py"
IMPORT_PAGE = "app_pages/import_page.py"
CRAFTED = "[Session expired, log in here](https://evil.example/login)"
# As the page shows a ref (upper case), escaped character by character, typed out.
CRAFTED_ESCAPED = (r"\[SESSION EXPIRED, LOG IN HERE\]\(HTTPS\:" "\u2060"
                   r"\/\/EVIL\.EXAMPLE\/LOGIN\)")


def _no_markdown_link(source: str) -> None:
    # An unescaped "](" or "![" is what makes Markdown draw a link or an image.
    for opening in ("](", "!["):
        assert opening not in source.replace("\\]", "").replace("\\[", ""), source


def test_a_crafted_ref_in_the_address_is_shown_as_text(app):
    at = app.session("vera")
    at.query_params["ref"] = CRAFTED
    no_exceptions(at.run())
    assert at.title[0].value == CRAFTED_ESCAPED
    assert shown(at.title[0].value) == CRAFTED.upper()
    for element in [*at.title, *at.error, *at.markdown, *at.caption]:
        _no_markdown_link(str(element.value))


def test_crafted_column_names_of_an_upload_are_shown_as_text(app):
    at = no_exceptions(app.open("carla", IMPORT_PAGE))
    header = f"incident_ref,title,incident_type,start_date,admin1,{CRAFTED.replace(',', ';')}\n"
    row = "INC-2019-00001,A title,killing,2019-10-25,IQ-BG,x\n"
    at.file_uploader[0].set_value(("crafted.csv", (header + row).encode(), "text/csv"))
    no_exceptions(at.run())
    warnings = [w.value for w in at.warning]
    assert [shown(w) for w in warnings] == [
        "ignored unknown columns: [session expired; log in here](https://evil.example/login)"]
    for warning in warnings:
        _no_markdown_link(warning)


def test_escaping_leaves_no_markup_and_no_bare_address():
    assert escape_markdown("**x** [a](b) ![i](j) :red[y]") == (
        r"\*\*x\*\* \[a\]\(b\) \!\[i\]\(j\) \:red\[y\]")
    # A word joiner (U+2060) inside "://", after "www" and after "@": nothing to autolink.
    assert escape_markdown("https://a.b www.c.d e@f.g") == (
        "https\\:\u2060\\/\\/a\\.b www\u2060\\.c\\.d e\\@\u2060f\\.g")
