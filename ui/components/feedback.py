"""Turning service errors into messages, and showing validation problems by their field."""

from __future__ import annotations

import streamlit as st

from records.errors import SijilError, ValidationError
from ui import state
from ui.components.text import escape_markdown
from ui.i18n import _


def show_error(error: Exception) -> None:
    """One plain message per kind of error; the services' messages are meant for people."""
    if isinstance(error, ValidationError):
        st.error(_("Nothing was saved. Please correct the fields marked below."))
        for problem in error.problems:
            st.text(f"• {problem.field}: {problem.message}")
    elif isinstance(error, SijilError):
        # Conflicts, refusals, missing records: the services' messages name who and why.
        st.error(escape_markdown(str(error)))
    else:
        raise error


class FieldErrors:
    """Problems of one form, shown under the field they concern.

    Widgets render before the save that finds the problems, so each field gets a
    placeholder that `set` fills in the same run; the problems stay until the next save."""

    def __init__(self, form: str):
        self.form = form
        self._all = st.session_state.setdefault(state.FIELD_ERRORS, {})
        self._slots: list[tuple[tuple[str, ...], str, object]] = []

    @property
    def problems(self) -> dict[str, str]:
        return self._all.get(self.form, {})

    def set(self, error: ValidationError | None) -> None:
        self._all[self.form] = error.by_field() if error else {}
        for fields, prefix, slot in self._slots:
            self._fill(slot, fields, prefix)

    def _fill(self, slot, fields: tuple[str, ...], prefix: str) -> None:
        found = [(name.removeprefix(prefix), message)
                 for name, message in self.problems.items()
                 if (prefix and name.startswith(prefix))
                 or any(name == f or name.startswith(f"{f}.") for f in fields)]
        if not found:
            slot.empty()
            return
        with slot.container():
            for name, message in found:
                st.error(escape_markdown(f"{name}: {message}"), icon="⚠️")

    def show(self, *fields: str) -> None:
        """Under a widget: the problem of `field` (or any field below it), if there is one."""
        slot = st.empty()
        self._slots.append((fields, "", slot))
        self._fill(slot, fields, "")

    def show_prefix(self, prefix: str) -> None:
        slot = st.empty()
        self._slots.append(((), prefix, slot))
        self._fill(slot, (), prefix)


def run_write(action, errors: FieldErrors | None = None, *, success: str | None = None):
    """Run `action(session)` in its own unit of work; show any error and return None, or
    return its result (with `success` flashed after the next rerun)."""
    from ui.components.db import get_engine, unit_of_work

    try:
        with unit_of_work(get_engine()) as session:
            result = action(session)
    except ValidationError as error:
        if errors is not None:
            errors.set(error)
        show_error(error)
        return None
    except SijilError as error:
        show_error(error)
        return None
    if errors is not None:
        errors.set(None)
    if success:
        state.flash(success)
    return result


def warn_withheld_names(ref: str, by) -> None:
    """After a save: one warning line naming the withheld people the record's free text
    names (they are cut from it wherever their name is withheld)."""
    from records.services.access.withheld_text import withheld_marker
    from records.services.exchange.withheld import withheld_names_in
    from ui.components.db import get_engine, read_session

    with read_session(get_engine()) as session:
        names = withheld_names_in(session, ref, by=by)
    if names:
        state.flash_warning(_("This text names people whose name is withheld; they read "
                              "{marker} wherever names are withheld: {names}").format(
            marker=withheld_marker(), names=", ".join(names)))


def clear_widgets(prefix: str) -> None:
    """Forget what was typed in a part form after it was saved, so the next one starts empty."""
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]
