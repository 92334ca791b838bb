"""Forms that describe one victim, perpetrator, citation or case event.

Each returns the service input (a dict shaped like VictimInput, ...) when submitted, else
None; the caller decides whether it goes into a draft or straight to add_part."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from records.models.person import SEXES
from records.models.source import RELIABILITY_GRADES
from records.services.people import (
    find_likely_people,
    find_similar_people,
    list_actors,
    list_sources,
)
from records.vocabulary_seed import GOVERNORATE_VOCABULARY
from ui import state
from ui.components import vocab as vocab_ui
from ui.components.db import get_engine, principal, read_session
from ui.components.text import escape_markdown
from ui.components.vocab import Vocab
from ui.i18n import _

NEW = ""


def _people_options(found: list) -> dict[str, str]:
    return {p.uid: f"{p.full_name} ({p.name_original or '—'}) · {p.uid[:8]}" for p in found}


def victim_form(form: str, vocabs: dict[str, Vocab]) -> dict[str, Any] | None:
    """A new person (with a warning about likely duplicates) or an existing one."""
    duplicates: dict[str, str] = st.session_state.setdefault(state.DUPLICATES, {}).setdefault(
        form, {})
    options = {NEW: _("— a new person (fill in below) —"), **duplicates,
               **_searched_people(form)}
    with st.form(form, clear_on_submit=False):
        existing = st.selectbox(_("Person"), list(options), format_func=options.get,
                                key=f"{form}_existing")
        person = _person_fields(form, vocabs)
        st.divider()
        victim = _victim_fields(form, vocabs)
        anyway = st.checkbox(_("This is a different person: add as new even if the name is "
                               "similar"), key=f"{form}_anyway")
        if not st.form_submit_button(_("Add victim")):
            return None
    if existing != NEW:
        return {**victim, "person_uid": existing}
    if not anyway and _warned_of_similar_people(person, duplicates):
        return None
    duplicates.clear()
    return {**victim, "person": person}


def _searched_people(form: str, label: str | None = None) -> dict[str, str]:
    search = st.text_input(label or _("Find an existing person by name"),
                           key=f"{form}_search")
    if not (search and search.strip()):
        return {}
    with read_session(get_engine()) as session:
        found = _people_options(find_similar_people(session, search, by=principal()))
    if not found:
        st.caption(_("No one with a similar name is recorded yet."))
    return found


def _person_fields(form: str, vocabs: dict[str, Vocab]) -> dict[str, Any]:
    """The new person's widgets; their values shaped like PersonInput."""
    c1, c2 = st.columns(2)
    full_name = c1.text_input(_("Full name"), key=f"{form}_full_name")
    name_original = c2.text_input(_("Name in original script (e.g. Arabic)"),
                                  key=f"{form}_name_original")
    c1, c2, c3 = st.columns(3)
    sex = c1.selectbox(_("Sex"), SEXES, index=SEXES.index("unknown"),
                       format_func=vocab_ui.choice_label, key=f"{form}_sex")
    age = c2.number_input(_("Age"), min_value=0, max_value=130, value=None, step=1,
                          key=f"{form}_age")
    home = c3.selectbox(_("Home governorate"), [""] + vocabs[GOVERNORATE_VOCABULARY].codes,
                        format_func=vocabs[GOVERNORATE_VOCABULARY].label, key=f"{form}_home")
    profiles = st.multiselect(_("Profile"), vocabs["profile"].codes,
                              format_func=vocabs["profile"].label, key=f"{form}_profiles")
    c1, c2 = st.columns(2)
    occupation = c1.text_input(_("Occupation"), key=f"{form}_occupation")
    affiliation = c2.text_input(_("Affiliation"), key=f"{form}_affiliation")
    contact = st.text_input(_("Contact (confidential)"), key=f"{form}_contact")
    public = st.checkbox(_("Public figure"), key=f"{form}_public")
    return {"full_name": full_name, "name_original": name_original, "sex": sex, "age": age,
            "profiles": profiles, "occupation": occupation, "affiliation": affiliation,
            "home_admin1": home or None, "contact": contact, "is_public_figure": public}


def _victim_fields(form: str, vocabs: dict[str, Vocab]) -> dict[str, Any]:
    outcome = st.selectbox(_("Outcome"), vocabs["victim_outcome"].codes,
                           format_func=vocabs["victim_outcome"].label, key=f"{form}_outcome")
    harm = st.text_area(_("Harm suffered"), key=f"{form}_harm", height=80)
    consent = st.checkbox(_("Consents to publication of the name"), key=f"{form}_consent")
    return {"outcome": outcome, "harm_description": harm, "consent_to_publish_name": consent}


def _warned_of_similar_people(person: dict[str, Any], duplicates: dict[str, str]) -> bool:
    """Warn when people likely the same are recorded (spellings, transliterations, Arabic
    script), best first with why, and offer them under “Person”."""
    full_name, name_original = person["full_name"], person["name_original"]
    if not full_name.strip():
        return False
    by = principal()
    found: dict[str, tuple] = {}
    with read_session(get_engine()) as session:
        for name in (full_name, name_original):
            if name and name.strip():
                for match, score, reasons in find_likely_people(session, name, by=by):
                    if match.uid not in found or found[match.uid][1] < score:
                        found[match.uid] = (match, score, reasons)
    if not found:
        return False
    ranked = sorted(found.values(), key=lambda item: -item[1])
    duplicates.update(_people_options([match for match, _score, _reasons in ranked]))
    lines = [_("{person} — score {score}: {reasons}").format(
        person=_people_options([match])[match.uid], score=round(score),
        reasons="; ".join(reasons)) for match, score, reasons in ranked]
    st.warning(_("Likely the same person is already recorded: {names}. Pick them "
                 "under “Person”, or tick “This is a different person” and add "
                 "again.").format(names=escape_markdown(" · ".join(lines))))
    return True


def perpetrator_form(form: str, vocabs: dict[str, Vocab]) -> dict[str, Any] | None:
    with read_session(get_engine()) as session:
        actors = {a.uid: f"{a.name} ({vocabs['actor_type'].label(a.actor_type)})"
                  for a in list_actors(session, by=principal())}
    options = {NEW: _("— a new actor (fill in below) —"), **actors}
    with st.form(form):
        existing = st.selectbox(_("Actor"), list(options), format_func=options.get,
                                key=f"{form}_actor")
        c1, c2 = st.columns(2)
        name = c1.text_input(_("New actor name"), key=f"{form}_name")
        actor_type = c2.selectbox(_("Actor type"), vocabs["actor_type"].codes,
                                  format_func=vocabs["actor_type"].label, key=f"{form}_type")
        attribution = st.selectbox(_("Attribution"), vocabs["attribution"].codes,
                                   format_func=vocabs["attribution"].label,
                                   key=f"{form}_attribution")
        basis = st.text_area(_("Basis of the attribution"), key=f"{form}_basis", height=80)
        if not st.form_submit_button(_("Add perpetrator")):
            return None
    item: dict[str, Any] = {"attribution": attribution, "basis": basis}
    if existing != NEW:
        item["actor_uid"] = existing
    else:
        item["actor"] = {"name": name.strip(), "actor_type": actor_type}
    return item


def _source_options() -> dict[str, str]:
    with read_session(get_engine()) as session:
        return {s.uid: f"{s.title} · {s.publisher or s.kind}"
                for s in list_sources(session, by=principal())}


def citation_form(form: str, vocabs: dict[str, Vocab]) -> dict[str, Any] | None:
    options = {NEW: _("— a new source (fill in below) —"), **_source_options()}
    confidentiality = {"default": _("Testimony confidential, others public (default)"),
                       "yes": _("Confidential"), "no": _("Public")}
    with st.form(form):
        existing = st.selectbox(_("Source"), list(options), format_func=options.get,
                                key=f"{form}_source")
        c1, c2 = st.columns(2)
        kind = c1.selectbox(_("Kind of source"), vocabs["source_kind"].codes,
                            format_func=vocabs["source_kind"].label, key=f"{form}_kind")
        title = c2.text_input(_("Source title"), key=f"{form}_title")
        c1, c2, c3 = st.columns(3)
        publisher = c1.text_input(_("Publisher"), key=f"{form}_publisher")
        url = c2.text_input(_("Web address"), key=f"{form}_url")
        published = c3.date_input(_("Published on"), value=None, key=f"{form}_published",
                                  min_value=dt.date(1900, 1, 1), format="YYYY-MM-DD")
        c1, c2, c3, c4 = st.columns(4)
        language = c1.text_input(_("Language"), key=f"{form}_language", max_chars=10)
        reliability = c2.selectbox(_("Reliability (A–F)"), ("",) + RELIABILITY_GRADES,
                                   key=f"{form}_reliability")
        credibility = c3.selectbox(_("Credibility (1–6)"), ("", 1, 2, 3, 4, 5, 6),
                                   key=f"{form}_credibility")
        confidential = c4.selectbox(_("Confidential"), list(confidentiality),
                                    format_func=confidentiality.get, key=f"{form}_conf")
        st.divider()
        statement = st.text_area(_("What this source says about the incident"),
                                 key=f"{form}_statement", height=80)
        c1, c2 = st.columns([1, 3])
        page = c1.text_input(_("Page"), key=f"{form}_page")
        quote = c2.text_input(_("Quote"), key=f"{form}_quote")
        if not st.form_submit_button(_("Add source")):
            return None
    item: dict[str, Any] = {"statement": statement, "page": page or None, "quote": quote}
    if existing != NEW:
        item["source_uid"] = existing
        return item
    item["source"] = {"kind": kind, "title": title.strip(), "publisher": publisher or None,
                      "url": url or None, "published_on": published,
                      "language": language or None, "reliability": reliability or None,
                      "credibility": credibility or None,
                      "is_confidential": {"default": None, "yes": True,
                                          "no": False}[confidential]}
    return item


def _index(options: list, value, default: int = 0) -> int:
    return options.index(value) if value in options else default


def _concerned_options(form: str, current) -> dict[str, str]:
    """Whom a case event may concern: nobody, the one it names now, people found by name,
    or a group `by` may see; keys "person:<uid>" and "actor:<uid>"."""
    options = {NEW: _("— nobody named —")}
    if current is not None and current.person is not None:
        options[f"person:{current.person.uid}"] = current.person.full_name
    if current is not None and current.actor is not None:
        options[f"actor:{current.actor.uid}"] = current.actor.name
    found = _searched_people(form, _("Find the person concerned by name"))
    options.update({f"person:{uid}": label for uid, label in found.items()})
    with read_session(get_engine()) as session:
        options.update({f"actor:{a.uid}": a.name for a in list_actors(session, by=principal())})
    return options


def case_event_form(form: str, vocabs: dict[str, Vocab], current=None
                    ) -> dict[str, Any] | None:
    """A follow-up step (the arrest, the verdict…), dated as precisely as it is known, with
    whom it concerns and its source; filled in with `current` (a saved event) to change it.
    Returns every field, so a change replaces the event's values as the form shows them."""
    sources = {NEW: _("— none —"), **_source_options()}
    if current is not None and current.source is not None:
        sources.setdefault(current.source.uid, current.source.title)
    concerned = _concerned_options(form, current)
    now = (f"person:{current.person.uid}" if current is not None and current.person
           else f"actor:{current.actor.uid}" if current is not None and current.actor else NEW)
    precisions, kinds = vocabs["date_precision"].codes, vocabs["case_event_kind"].codes
    with st.form(form):
        c1, c2, c3 = st.columns(3)
        date = c1.date_input(_("Date"), key=f"{form}_date", min_value=dt.date(1900, 1, 1),
                             format="YYYY-MM-DD",
                             value=current.date if current is not None else "today")
        precision = c2.selectbox(
            _("Date precision"), precisions, format_func=vocabs["date_precision"].label,
            index=_index(precisions, current.date_precision if current else "day"),
            key=f"{form}_precision",
            help=_("Month: only the month is known (the day of the date is not shown)."))
        kind = c3.selectbox(_("What happened"), kinds,
                            format_func=vocabs["case_event_kind"].label,
                            index=_index(kinds, current.kind if current else None),
                            key=f"{form}_kind")
        description = st.text_area(_("Description"), key=f"{form}_description", height=80,
                                   value=current.description if current else "")
        source = st.selectbox(_("Source (optional)"), list(sources), format_func=sources.get,
                              index=_index(list(sources), current.source.uid if current
                                           and current.source else NEW),
                              key=f"{form}_source")
        who = st.selectbox(_("Person or group concerned (optional)"), list(concerned),
                           format_func=concerned.get, index=_index(list(concerned), now),
                           key=f"{form}_concerned")
        c1, c2, c3 = st.columns(3)
        new_person = c1.text_input(_("Or a new person concerned: full name"),
                                   key=f"{form}_person_name")
        new_actor = c2.text_input(_("Or a new group concerned: name"),
                                  key=f"{form}_actor_name")
        actor_type = c3.selectbox(_("Type of the new group"), vocabs["actor_type"].codes,
                                  format_func=vocabs["actor_type"].label,
                                  key=f"{form}_actor_type")
        was_public = bool(current is not None and current.person
                          and current.person.is_public_figure)
        public = st.checkbox(
            _("The person concerned is a public figure (a commander, an official)"),
            value=was_public, key=f"{form}_public_figure",
            help=_("A public figure is named in public exports and reports; other people's "
                   "names are withheld, in the text too."))
        if not st.form_submit_button(_("Save follow-up event") if current is not None
                                     else _("Add follow-up event")):
            return None
    item: dict[str, Any] = {
        "date": date, "date_precision": precision, "kind": kind, "description": description,
        "source_uid": source or None, "person_uid": None, "person": None, "actor_uid": None,
        "actor": None}
    kind_of, _sep, uid = who.partition(":")
    if uid:
        item[f"{kind_of}_uid"] = uid
    # Both an existing and a new one named is refused by the service, naming the field.
    if new_person.strip():
        item["person"] = {"full_name": new_person.strip()}
    if new_actor.strip():
        item["actor"] = {"name": new_actor.strip(), "actor_type": actor_type}
    # Ticked: mark whoever the event concerns. Unticked: unmark only the person who was
    # marked here; never unmark, by leaving a box empty, someone just chosen from the list.
    if public:
        item["person_public_figure"] = True
    elif was_public and who == now:
        item["person_public_figure"] = False
    return item


FORMS = {"victims": victim_form, "perpetrators": perpetrator_form,
         "citations": citation_form, "case_events": case_event_form}
