"""Language detection: scripts, kana, Arabic-script letters and Latin function-word profiles, all from data."""
import re

import pytest
import yaml

from tasks.ingest.documents import detect_language as documents_detect_language
from tasks.ingest.language import READ_LANGUAGES, RULES_PATH, detect_language, is_read, latin_language, load_rules

TEXTS = {
    "zh": "截至2031年底,全国基本医疗保险参保人数达到136100万人,参保率稳定在95%以上。职工医保基金收入25012.44亿元,"
          "支出20110.37亿元,较上年增长6.1%。",
    "zht": "截至2031年底,全國基本醫療保險參保人數達到136100萬人,參保率穩定在95%以上。職工醫保基金收入25012.44億元,"
           "支出20110.37億元,較上年增長6.1%。",
    "ja": "国家医療保障局の発表によると、2031年末時点で全国の基本医療保険の加入者数は13億6100万人となり、"
          "加入率は95%以上を維持している。従業員医療保険の基金収入は2兆5012億元で、前年より6.1%増えた。",
    "ko": "국가의료보장국에 따르면 2031년 말 기준 전국 기본의료보험 가입자는 13억 6100만 명으로 가입률은 95% 이상을 "
          "유지했다. 직공 의료보험 기금 수입은 2조 5012억 위안으로 전년보다 6.1% 늘었다.",
    "ru": "По данным Национального управления медицинского страхования, к концу 2031 года базовым медицинским "
          "страхованием были охвачены 1,361 миллиарда человек, а доходы фонда выросли на 6,1%.",
    "ar": "وفقا للإدارة الوطنية للضمان الطبي، بلغ عدد المشتركين في التأمين الطبي الأساسي في نهاية عام 2031 نحو "
          "1.361 مليار شخص، وارتفعت إيرادات الصندوق بنسبة 6.1 في المئة مقارنة بالعام السابق.",
    "ur": "قومی طبی تحفظ کے ادارے کے مطابق 2031 کے آخر تک بنیادی طبی بیمہ میں شامل افراد کی تعداد ایک ارب چھتیس کروڑ "
          "سے زیادہ ہو گئی، اور فنڈ کی آمدنی میں پچھلے سال کے مقابلے میں 6.1 فیصد اضافہ ہوا۔",
    "fa": "به گزارش اداره ملی تأمین پزشکی، تا پایان سال 2031 شمار بیمه شدگان بیمه پایه درمانی به یک میلیارد و "
          "سیصد و شصت میلیون نفر رسید و درآمد صندوق نسبت به سال گذشته 6.1 درصد افزایش یافت.",
    "en": "By the end of 2031 the number of people covered by basic medical insurance reached 1.361 billion, and the "
          "revenue of the employee fund was 2.50 trillion yuan, up 6.1% from the previous year.",
    "es": "Según la Administración Nacional de Seguridad Sanitaria, a finales de 2031 el seguro médico básico cubría "
          "a 1.361 millones de personas y los ingresos del fondo crecieron un 6,1% con respecto al año anterior.",
    "fr": "Selon l'Administration nationale de la sécurité médicale, fin 2031 l'assurance maladie de base couvrait "
          "1,361 milliard de personnes et les recettes du fonds ont augmenté de 6,1 % par rapport à l'année dernière.",
    "de": "Nach Angaben der Nationalen Verwaltung für medizinische Sicherheit waren Ende 2031 rund 1,361 Milliarden "
          "Menschen in der Grundkrankenversicherung versichert, und die Einnahmen des Fonds stiegen um 6,1 Prozent.",
    "pt": "Segundo a Administração Nacional de Segurança Médica, no fim de 2031 o seguro médico básico cobria 1,361 "
          "bilhão de pessoas e as receitas do fundo cresceram 6,1% em relação ao ano anterior.",
    "it": "Secondo l'Amministrazione nazionale per la sicurezza sanitaria, alla fine del 2031 l'assicurazione medica "
          "di base copriva 1,361 miliardi di persone e le entrate del fondo sono cresciute del 6,1% rispetto all'anno "
          "precedente.",
    "id": "Menurut Administrasi Jaminan Kesehatan Nasional, pada akhir tahun 2031 jumlah peserta asuransi kesehatan "
          "dasar mencapai 1,361 miliar orang dan pendapatan dana naik sebesar 6,1 persen dari tahun sebelumnya.",
}


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_each_language_is_recognised(language):
    assert detect_language(TEXTS[language]) == language


def test_documents_module_delegates_here():
    assert all(documents_detect_language(text) == language for language, text in TEXTS.items())


def test_chinese_with_a_substantial_english_part_is_mixed():
    text = TEXTS["zh"] * 6 + (" " + TEXTS["en"]) * 12
    assert detect_language(text) == "mixed"
    assert detect_language(TEXTS["ja"] * 4 + (" " + TEXTS["en"]) * 12) == "mixed"


def test_a_few_foreign_words_do_not_change_the_language():
    assert detect_language(TEXTS["zh"] + " NHSA, CPI, GDP") == "zh"
    assert detect_language(TEXTS["en"] + " 医保") == "en"
    assert detect_language(TEXTS["zh"] + "の") == "zh"


def test_read_languages_are_the_ones_the_pipeline_reads():
    assert set(READ_LANGUAGES) == {"zh", "zht", "ja", "en", "mixed"}
    assert all(is_read(lang) for lang in ("zh", "zht", "ja", "en", "mixed"))
    assert not any(is_read(lang) for lang in ("ko", "ru", "ar", "ur", "fa", "es", "fr", "de", "pt", "it", "id"))


def test_latin_text_without_any_profile_word_falls_back_to_english():
    assert latin_language("NHSA CPI GDP 2031 EBMI URRBMI") == "en"


def test_rules_file_is_consistent():
    data = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    for pattern in data["scripts"].values():
        re.compile(pattern)
    assert set(data["script_languages"]) <= set(data["scripts"])
    assert set(data["arabic_letters"]) == {"ur", "fa", "ar"}
    for language, words in data["stopwords"].items():
        assert len(words) == len(set(words)) >= 20, language
        assert all(word == word.lower() and re.fullmatch(r"[a-zà-öø-ÿœ]+", word) for word in words), language
    assert "en" in data["stopwords"] and set(data["read_languages"]) <= {"zh", "zht", "ja", "en", "mixed"}
    assert load_rules().limits["min_word_hits"] >= 1
