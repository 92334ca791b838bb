"""Folding text for search: the Arabic, Kurdish and Latin variants a query must find."""

import pytest

from records.services.linkage import fold_text


@pytest.mark.parametrize("raw, folded", [
    ("إِيهَاب الوزني", "ايهاب الوزني"),          # harakat and hamza-on-alef
    ("Ihab al-Wazni", "ihab al wazni"),          # hyphen is a word break
    ("EHAB  Al\tWazni!", "ehab al wazni"),
    ("مـحـمـد", "محمد"),                          # tatweel
    ("فاطمة", "فاطمه"),                           # ta marbuta
    ("مؤمن هانئ", "مومن هاني"),                   # hamza on waw and ya
    ("مستشفى", "مستشفي"),                         # alef maqsura
    ("آمنة ٱلسيد أحمد إبراهيم", "امنه السيد احمد ابراهيم"),
    ("الرحمٰن", "الرحمن"),                        # superscript alef
    ("کوردستان", "كوردستان"),                     # Persian/Kurdish kaf
    ("ھەولێر", "ههولير"),                         # Sorani heh, ae, yeh with v
    ("علی", "علي"),                               # Farsi yeh
    ("Saʿid Ta'i", "said tai"),                   # ʿayn sign and apostrophe join
    ("Ṭāʾī", "tai"),                              # accents
    ("«قال»، نعم؛ لا؟", "قال نعم لا"),            # Arabic punctuation
    ("١٢٣ ۴۵", "123 45"),                         # Arabic-Indic and Persian digits
    ("ﷲ", "الله"),                               # NFKC ligature
    ("", ""),
])
def test_fold_text_known_answers(raw, folded):
    assert fold_text(raw) == folded


def test_fold_text_is_idempotent_and_keeps_word_order():
    once = fold_text("Al-Wazni, Ihab")
    assert once == "al wazni ihab"
    assert fold_text(once) == once


def test_fold_text_none_is_empty():
    assert fold_text(None) == ""
