"""The controlled vocabularies Sijil starts with: stable codes, English and Arabic labels.

Codes never change once data uses them; labels may be edited by an admin. Categories follow
HURIDOCS Events, ACLED and the OHCHR SDG 16.10.1 guidance (killings, enforced disappearance,
torture, arbitrary detention, abduction of human-rights defenders, journalists and trade
unionists).
"""

from __future__ import annotations

# vocabulary -> [(code, label_en, label_ar)]
VOCABULARIES: dict[str, list[tuple[str, str, str]]] = {
    "incident_type": [
        ("killing", "Killing", "قتل"),
        ("attempted_killing", "Attempted killing", "محاولة قتل"),
        ("abduction", "Abduction", "اختطاف"),
        ("enforced_disappearance", "Enforced disappearance", "اختفاء قسري"),
        ("arbitrary_detention", "Arbitrary detention", "احتجاز تعسفي"),
        ("torture", "Torture or ill-treatment", "تعذيب أو سوء معاملة"),
        ("threat", "Threat or intimidation", "تهديد أو ترهيب"),
        ("assault", "Physical assault", "اعتداء جسدي"),
        ("attack_on_property", "Attack on home or property", "اعتداء على منزل أو ممتلكات"),
        ("other", "Other", "أخرى"),
    ],
    "method": [
        ("firearm", "Firearm", "سلاح ناري"),
        ("ied", "Improvised explosive device", "عبوة ناسفة"),
        ("knife", "Knife or blade", "سكين أو آلة حادة"),
        ("vehicle", "Vehicle", "مركبة"),
        ("drone", "Drone", "طائرة مسيرة"),
        ("tear_gas_canister", "Tear-gas canister", "قنبلة غاز مسيل للدموع"),
        ("beating", "Beating", "ضرب"),
        ("arson", "Arson", "حرق"),
        ("poison", "Poison", "تسميم"),
        ("online", "Online or phone", "عبر الإنترنت أو الهاتف"),
        ("unknown", "Unknown", "غير معروف"),
        ("other", "Other", "أخرى"),
    ],
    "context": [
        ("protest_related", "Protest-related", "مرتبط بالاحتجاجات"),
        ("election_related", "Election-related", "مرتبط بالانتخابات"),
        ("journalism_related", "Related to journalism", "مرتبط بالعمل الصحفي"),
        ("human_rights_work", "Related to human-rights work", "مرتبط بالعمل الحقوقي"),
        ("labour_related", "Labour or trade-union related", "مرتبط بالعمل النقابي"),
        ("tribal_or_personal", "Tribal or personal dispute", "نزاع عشائري أو شخصي"),
        ("unknown", "Unknown", "غير معروف"),
        ("other", "Other", "أخرى"),
    ],
    "victim_outcome": [
        ("killed", "Killed", "قُتل"),
        ("injured", "Injured", "أُصيب"),
        ("unharmed", "Unharmed", "لم يُصب بأذى"),
        ("abducted", "Abducted", "اختُطف"),
        ("disappeared", "Disappeared", "مختفٍ"),
        ("detained", "Detained", "محتجز"),
        ("released", "Released", "أُطلق سراحه"),
    ],
    "profile": [
        ("human_rights_defender", "Human-rights defender", "مدافع عن حقوق الإنسان"),
        ("activist", "Activist", "ناشط"),
        ("journalist", "Journalist or media worker", "صحفي أو عامل في الإعلام"),
        ("trade_unionist", "Trade unionist", "نقابي"),
        ("lawyer", "Lawyer", "محامٍ"),
        ("protester", "Protester", "متظاهر"),
        ("blogger", "Blogger or online commentator", "مدون"),
        ("academic", "Academic", "أكاديمي"),
        ("medical_worker", "Medical worker", "عامل في القطاع الطبي"),
        ("political_candidate", "Political candidate", "مرشح سياسي"),
        ("family_member", "Family member of a targeted person", "فرد من عائلة شخص مستهدف"),
        ("witness", "Witness", "شاهد"),
        ("bystander", "Bystander", "شخص عابر"),
        ("other", "Other", "أخرى"),
    ],
    "actor_type": [
        ("state_forces", "State forces", "قوات حكومية"),
        ("state_affiliated_armed_group", "State-affiliated armed group",
         "جماعة مسلحة مرتبطة بالدولة"),
        ("non_state_armed_group", "Non-state armed group", "جماعة مسلحة غير حكومية"),
        ("unidentified_gunmen", "Unidentified gunmen", "مسلحون مجهولون"),
        ("tribal_group", "Tribal group", "جماعة عشائرية"),
        ("private_individual", "Private individual", "فرد"),
        ("unknown", "Unknown", "غير معروف"),
    ],
    "source_kind": [
        ("media", "Media", "وسائل إعلام"),
        ("ngo_report", "NGO report", "تقرير منظمة غير حكومية"),
        ("witness_testimony", "Witness testimony", "شهادة شاهد"),
        ("victim_testimony", "Victim testimony", "شهادة ضحية"),
        ("official_statement", "Official statement", "بيان رسمي"),
        ("social_media", "Social media", "وسائل التواصل الاجتماعي"),
        ("court_record", "Court record", "سجل محكمة"),
    ],
    "case_event_kind": [
        ("complaint", "Complaint filed", "تقديم شكوى"),
        ("investigation_opened", "Investigation opened", "فتح تحقيق"),
        ("arrest", "Arrest", "اعتقال"),
        ("charge", "Charge", "توجيه اتهام"),
        ("trial", "Trial", "محاكمة"),
        ("verdict", "Verdict", "حكم"),
        ("release", "Release", "إطلاق سراح"),
        ("advocacy_action", "Advocacy action", "إجراء مناصرة"),
        ("un_communication", "UN communication", "مراسلة إلى الأمم المتحدة"),
    ],
    "attribution": [
        ("alleged", "Alleged", "مزعوم"),
        ("suspected", "Suspected", "مشتبه به"),
        ("claimed_responsibility", "Claimed responsibility", "أعلن مسؤوليته"),
        ("established_by_court", "Established by court", "ثبت بحكم قضائي"),
    ],
    "date_precision": [
        ("day", "Exact day", "يوم محدد"),
        ("month", "Month", "شهر"),
        ("year", "Year", "سنة"),
        ("approximate", "Approximate", "تقريبي"),
    ],
    "geo_precision": [
        ("exact", "Exact location", "موقع دقيق"),
        ("near", "Near a known place", "قرب مكان معروف"),
        ("district", "District", "قضاء"),
        ("governorate", "Governorate", "محافظة"),
        ("country", "Country", "بلد"),
    ],
    "custody_kind": [
        ("received", "Received", "استلام"),
        ("transferred", "Transferred", "نقل"),
        ("verified", "Verified", "تحقق"),
        ("copied", "Copied", "نسخ"),
    ],
}

# Which model field takes its codes from which vocabulary; used by validation and the UI.
FIELD_VOCABULARY: dict[str, str] = {
    "incident_type": "incident_type",
    "method": "method",
    "context": "context",
    "date_precision": "date_precision",
    "geo_precision": "geo_precision",
    "outcome": "victim_outcome",
    "profiles": "profile",
    "actor_type": "actor_type",
    "kind": "source_kind",
    "attribution": "attribution",
}

GOVERNORATE_VOCABULARY = "governorate"

# Arabic names of Iraq's governorates, keyed by ISO 3166-2 code (pycountry carries no Arabic
# translation of these); the codes and English names come from pycountry.
ARABIC_GOVERNORATE_NAMES = {
    "IQ-AN": "الأنبار", "IQ-AR": "أربيل", "IQ-BA": "البصرة", "IQ-BB": "بابل",
    "IQ-BG": "بغداد", "IQ-DA": "دهوك", "IQ-DI": "ديالى", "IQ-DQ": "ذي قار",
    "IQ-KA": "كربلاء", "IQ-KI": "كركوك", "IQ-MA": "ميسان", "IQ-MU": "المثنى",
    "IQ-NA": "النجف", "IQ-NI": "نينوى", "IQ-QA": "القادسية", "IQ-SD": "صلاح الدين",
    "IQ-SU": "السليمانية", "IQ-WA": "واسط",
}
DEFAULT_COUNTRY = "IQ"


def governorate_terms(country: str = DEFAULT_COUNTRY) -> list[tuple[str, str, str | None]]:
    """First-level subdivisions (governorates) of `country` from ISO 3166-2 via pycountry."""
    import pycountry

    subdivisions = pycountry.subdivisions.get(country_code=country) or []
    return [
        (sub.code, sub.name, ARABIC_GOVERNORATE_NAMES.get(sub.code))
        for sub in sorted(subdivisions, key=lambda s: s.code)
        if sub.type != "Region"
    ]
