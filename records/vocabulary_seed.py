"""The controlled vocabularies Sijil starts with: stable codes, English, Arabic and Sorani labels.

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
        ("examined", "Examined", "فحص"),
        ("returned", "Returned", "إعادة"),
    ],
}

# Sorani (Central Kurdish, Arabic script) labels: vocabulary -> code -> label. Seeding gives
# them to new terms and to existing terms that have none yet; a label an admin typed is kept.
KURDISH_LABELS: dict[str, dict[str, str]] = {
    "incident_type": {
        "killing": "کوشتن", "attempted_killing": "هەوڵی کوشتن", "abduction": "ڕفاندن",
        "enforced_disappearance": "بێسەروشوێنکردنی بەزۆر",
        "arbitrary_detention": "دەستبەسەرکردنی نایاسایی",
        "torture": "ئەشکەنجە یان خراپ مامەڵەکردن", "threat": "هەڕەشە یان ترساندن",
        "assault": "دەستدرێژیی جەستەیی", "attack_on_property": "هێرش بۆ سەر ماڵ یان موڵک",
        "other": "هیتر",
    },
    "method": {
        "firearm": "چەکی ئاگرین", "ied": "تەقەمەنیی چێنراو", "knife": "چەقۆ یان ئامێری تیژ",
        "vehicle": "ئۆتۆمبێل", "drone": "درۆن", "tear_gas_canister": "قوتووی گازی فرمێسکڕێژ",
        "beating": "لێدان", "arson": "سووتاندن", "poison": "ژەهرخواردنکردن",
        "online": "لە ئینتەرنێت یان تەلەفۆن", "unknown": "نەزانراو", "other": "هیتر",
    },
    "context": {
        "protest_related": "پەیوەست بە خۆپیشاندان", "election_related": "پەیوەست بە هەڵبژاردن",
        "journalism_related": "پەیوەست بە ڕۆژنامەگەری",
        "human_rights_work": "پەیوەست بە کاری مافەکانی مرۆڤ",
        "labour_related": "پەیوەست بە کار یان سەندیکا",
        "tribal_or_personal": "ناکۆکیی عەشیرەتی یان کەسی", "unknown": "نەزانراو",
        "other": "هیتر",
    },
    "victim_outcome": {
        "killed": "کوژراو", "injured": "بریندار", "unharmed": "زیانی پێنەگەیشتووە",
        "abducted": "ڕفێنراو", "disappeared": "بێسەروشوێن", "detained": "دەستبەسەرکراو",
        "released": "ئازادکراو",
    },
    "profile": {
        "human_rights_defender": "بەرگریکاری مافەکانی مرۆڤ", "activist": "چالاکوان",
        "journalist": "ڕۆژنامەنووس یان کارمەندی میدیا", "trade_unionist": "سەندیکاکار",
        "lawyer": "پارێزەر", "protester": "خۆپیشاندەر", "blogger": "بلۆگەر",
        "academic": "ئەکادیمی", "medical_worker": "کارمەندی تەندروستی",
        "political_candidate": "کاندیدی سیاسی",
        "family_member": "ئەندامی خێزانی کەسێکی ئامانجکراو", "witness": "شایەت",
        "bystander": "ڕێبوار", "other": "هیتر",
    },
    "actor_type": {
        "state_forces": "هێزە حکومییەکان",
        "state_affiliated_armed_group": "گرووپی چەکداری سەر بە دەوڵەت",
        "non_state_armed_group": "گرووپی چەکداری نادەوڵەتی",
        "unidentified_gunmen": "چەکدارانی نەناسراو", "tribal_group": "گرووپی عەشیرەتی",
        "private_individual": "تاک", "unknown": "نەزانراو",
    },
    "source_kind": {
        "media": "میدیا", "ngo_report": "ڕاپۆرتی ڕێکخراوی ناحکومی",
        "witness_testimony": "شایەتیی شایەت", "victim_testimony": "شایەتیی قوربانی",
        "official_statement": "ڕاگەیەندراوی فەرمی", "social_media": "تۆڕە کۆمەڵایەتییەکان",
        "court_record": "تۆماری دادگا",
    },
    "case_event_kind": {
        "complaint": "سکاڵا تۆمارکرا", "investigation_opened": "لێکۆڵینەوە کرایەوە",
        "arrest": "دەستگیرکردن", "charge": "تۆمەتبارکردن", "trial": "دادگاییکردن",
        "verdict": "بڕیاری دادگا", "release": "ئازادکردن", "advocacy_action": "کاری پاڵپشتی",
        "un_communication": "نامە بۆ نەتەوە یەکگرتووەکان",
    },
    "attribution": {
        "alleged": "بانگەشەکراو", "suspected": "گومانلێکراو",
        "claimed_responsibility": "بەرپرسیارێتیی گرتە ئەستۆ",
        "established_by_court": "دادگا سەلماندوویەتی",
    },
    "date_precision": {
        "day": "ڕۆژی دیاریکراو", "month": "مانگ", "year": "ساڵ", "approximate": "نزیکەیی",
    },
    "geo_precision": {
        "exact": "شوێنی ورد", "near": "نزیک شوێنێکی ناسراو", "district": "قەزا",
        "governorate": "پارێزگا", "country": "وڵات",
    },
    "custody_kind": {
        "received": "وەرگیرا", "transferred": "گوازرایەوە", "verified": "پشتڕاستکرایەوە",
        "copied": "لەبەرگیرایەوە", "examined": "پشکنرا", "returned": "گەڕێنرایەوە",
    },
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
# Sorani names of the governorates, keyed the same way.
KURDISH_GOVERNORATE_NAMES = {
    "IQ-AN": "ئەنبار", "IQ-AR": "هەولێر", "IQ-BA": "بەسرە", "IQ-BB": "بابل",
    "IQ-BG": "بەغدا", "IQ-DA": "دهۆک", "IQ-DI": "دیالە", "IQ-DQ": "زیقار",
    "IQ-KA": "کەربەلا", "IQ-KI": "کەرکووک", "IQ-MA": "مەیسان", "IQ-MU": "موسەننا",
    "IQ-NA": "نەجەف", "IQ-NI": "نەینەوا", "IQ-QA": "قادسیە", "IQ-SD": "سەلاحەدین",
    "IQ-SU": "سلێمانی", "IQ-WA": "واست",
}
DEFAULT_COUNTRY = "IQ"


def kurdish_label(vocabulary: str, code: str) -> str | None:
    """The seeded Sorani label of a term, or None when there is none."""
    if vocabulary == GOVERNORATE_VOCABULARY:
        return KURDISH_GOVERNORATE_NAMES.get(code)
    return KURDISH_LABELS.get(vocabulary, {}).get(code)


def governorate_terms(country: str = DEFAULT_COUNTRY) -> list[tuple[str, str, str | None]]:
    """First-level subdivisions (governorates) of `country` from ISO 3166-2 via pycountry."""
    import pycountry

    subdivisions = pycountry.subdivisions.get(country_code=country) or []
    return [
        (sub.code, sub.name, ARABIC_GOVERNORATE_NAMES.get(sub.code))
        for sub in sorted(subdivisions, key=lambda s: s.code)
        if sub.type != "Region"
    ]
