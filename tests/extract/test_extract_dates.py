import datetime

from speeches.extract.dates import extract_dates
from speeches.extract.speaker import find_speaker


def test_the_meeting_date_takes_its_year_from_the_same_sentence():
    result = extract_dates("5月18日,市文化局召开了2019年全市文化工作会议。会上,局长作了讲话。")
    assert result.date == datetime.date(2019, 5, 18)
    assert result.year == 2019


def test_a_dated_header_dates_the_report():
    result = extract_dates("政府工作报告\n——2031年3月5日在第十六届全国人民代表大会第五次会议上\n各位代表:")
    assert result.date == datetime.date(2031, 3, 5)


def test_a_date_in_chinese_numerals_is_read():
    result = extract_dates("（一九五九年四月十八日在第二届全国人民代表大会第一次会议上）")
    assert result.date == datetime.date(1959, 4, 18)


def test_a_year_in_the_title_is_taken():
    assert extract_dates("各位代表:", "2030年政府工作报告").year == 2030


def test_a_masked_year_is_flagged_and_never_guessed():
    result = extract_dates("回顾20xx年的工作,部署20xx年的任务。11月21日,验收组进行了检查。")
    assert result.year is None and result.date is None
    assert result.year_masked


def test_a_text_without_any_date_has_none():
    result = extract_dates("同志们:今天我们开会,研究下一步工作。")
    assert (result.date, result.year, result.year_masked) == (None, None, False)


def test_the_report_header_names_the_speaker_despite_full_width_spaces():
    found = find_speaker("政府工作报告\n\n国务院总理\u3000\n王\u3000明\n\n各位代表：", year=2030)
    assert (found.name, found.title) == ("王明", "国务院总理")
    assert found.confidence >= 0.9


def test_without_a_header_the_premier_in_office_on_the_date_is_taken_with_less_confidence():
    assert find_speaker("各位代表：现在，我代表国务院", year=1999).name == "朱镕基"
    assert find_speaker("各位代表：", date=datetime.date(2013, 3, 5)).name == "温家宝"



def test_a_report_read_by_delegation_is_not_taken_to_be_the_premiers():
    assert find_speaker("各位代表：我受国务院的委托，向大会报告。", year=1980) is None
    assert find_speaker("各位代表:现在,我代表国务院", year=1999, delegated=True) is None
