"""New incident: the incident's fields plus victims, perpetrators, sources and follow-up,
kept as a draft in the session until "Save draft" or "Submit for review"."""

import streamlit as st

from records.errors import SijilError
from records.services.incidents import create_incident
from records.services.linkage import similar_incidents
from records.services.review import submit_incident
from ui import state
from ui.components import FieldErrors, incident_fields, load_vocabularies, principal, run_write
from ui.components.db import get_engine, read_session
from ui.components.feedback import warn_withheld_names
from ui.components.parts_panel import draft_parts, part_titles
from ui.components.text import escape_markdown
from ui.i18n import _

FORM = "new_incident"
LIKELY_SEEN = "sijil_new_incident_likely_seen"  # the draft whose likely matches were shown


def likely_existing(data: dict) -> list:
    """Existing incidents the draft may report again (records.services.linkage)."""
    names = [(v.get("person") or {}).get("full_name") for v in data.get("victims") or ()]
    try:
        with read_session(get_engine()) as session:
            return similar_incidents(session, {**data, "victim_names": names}, by=by)
    except (KeyError, TypeError, AttributeError, SijilError):
        return []  # an incomplete draft: saving it reports what is missing
by = principal()
vocabs = load_vocabularies()
st.title(_("New incident"))
errors = FieldErrors(FORM)
parts = st.session_state.setdefault(state.NEW_PARTS, {p: [] for p in state.PART_NAMES})
# Widget values vanish on a page switch; the draft copy brings them back.
initial = st.session_state.get(state.NEW_DRAFT) or incident_fields.blank_values()

with st.form(FORM):
    incident_fields.render(FORM, initial, vocabs, errors)
    st.caption(_("Saved with the incident (added below): victims {v}, perpetrators {p}, "
                 "sources {c}, follow-up events {e}.").format(
        v=len(parts["victims"]), p=len(parts["perpetrators"]), c=len(parts["citations"]),
        e=len(parts["case_events"])))
    row = st.container(horizontal=True)  # wraps instead of cutting a label
    save = row.form_submit_button(_("Save draft"), type="primary")
    submit = row.form_submit_button(_("Submit for review"))

if save or submit:
    values = state.form_values(FORM, incident_fields.FIELDS)
    st.session_state[state.NEW_DRAFT] = values
    data = {**incident_fields.to_data(values), **parts}
    likely = likely_existing(data)
    signature = repr(sorted((k, str(v)) for k, v in data.items()))
    if likely and st.session_state.get(LIKELY_SEEN) != signature:
        # Shown once per draft: saving the same draft again goes ahead.
        st.session_state[LIKELY_SEEN] = signature
        st.warning(_("This may be an incident already recorded. Open it to add what is new, "
                     "or save again to record a new incident."))
        for found in likely:
            st.text(f"{found.b_key} · {found.b_name} — {round(found.score)}: "
                    + "; ".join(found.reasons))
        save = submit = False

if save or submit:

    def write(session):
        created = create_incident(session, data, by=by)
        if submit:
            created = submit_incident(session, created.ref, by=by,
                                      expected_version=created.version)
        return created

    created = run_write(write, errors)
    if created is not None:
        state.flash((_("Submitted {ref} for review.") if submit else _("Saved {ref} as a draft."))
                    .format(ref=created.ref))
        warn_withheld_names(created.ref, by)
        state.clear_form(FORM)
        st.session_state.pop(state.NEW_DRAFT, None)
        st.session_state.pop(state.NEW_PARTS, None)
        st.switch_page("app_pages/incident.py", query_params={"ref": created.ref})

st.caption(_("Evidence files can be uploaded on the incident's page once it is saved."))
for part, title in part_titles().items():
    st.subheader(escape_markdown(title))
    draft_parts(part, vocabs, errors)
