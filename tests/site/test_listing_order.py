"""Newest first, from the stored date key: dated speeches by date, then those of a stated
year only, then those whose year is unknown or masked, ties in source order. The key is
kept by every way a speech is written: save, a save of some fields, bulk_create."""

from datetime import date

import pytest

from speeches.models import Speech, date_key
from speeches.views.paging import rows_by_id
from tests.factories import make_region, make_source, make_speech

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("when", "year", "masked", "key"),
    [
        (date(2024, 3, 9), 2024, False, 20240309),
        (date(2024, 3, 9), None, True, 20240309),  # a date states its year, masked or not
        (None, 2019, False, 20190000),
        (None, 2019, True, 0),  # 20xx: never guessed
        (None, None, False, 0),
    ],
)
def test_the_date_key_orders_by_date_then_stated_year_then_unknown(when, year, masked, key):
    assert date_key(when, year, masked) == key


def test_newest_first_puts_dated_before_year_only_before_unknown():
    source = make_source()
    unknown = make_speech(title="年份不详", body="甲。", source=source, position=1)
    masked = make_speech(title="年份遮蔽", body="乙。", year=2021, year_masked=True, source=source, position=2)
    year_only = make_speech(title="只有年份", body="丙。", year=2023, source=source, position=3)
    early = make_speech(title="年初", body="丁。", date=date(2023, 1, 5), year=2023, source=source, position=4)
    late = make_speech(title="年底", body="戊。", date=date(2023, 12, 20), year=2023, source=source, position=5)
    newer = make_speech(title="次年", body="己。", year=2024, source=source, position=6)

    order = list(Speech.objects.newest_first())

    assert order == [newer, late, early, year_only, unknown, masked]


def test_a_save_of_the_year_alone_moves_the_speech_in_listings():
    speech = make_speech(title="补记年份", body="正文。")
    assert speech.date_key == 0

    speech.year = 2018
    speech.save(update_fields=["year"])

    speech.refresh_from_db()
    assert speech.date_key == 20180000
    assert list(Speech.objects.in_year(2018)) == [speech]
    assert not Speech.objects.in_year(None).exists()


def test_bulk_created_speeches_get_their_date_keys():
    Speech.objects.bulk_create([
        Speech(uid="bulk1", title="批量一", body="一。", content_hash="1" * 64, date=date(2020, 6, 1)),
        Speech(uid="bulk2", title="批量二", body="二。", content_hash="2" * 64, year=2016),
    ])

    assert dict(Speech.objects.values_list("uid", "date_key")) == {"bulk1": 20200601, "bulk2": 20160000}


def test_a_page_of_rows_keeps_the_listing_order_and_its_filters():
    province = make_region("62", "甘肃省")
    county = make_region("620102", "城关区", parent=province)
    other = make_region("33", "浙江省")
    kept = [make_speech(title=f"甘肃{n}", body=f"正文{n}。", region=county, year=2000 + n) for n in range(5)]
    make_speech(title="浙江", body="别处。", region=other, year=2030)
    make_speech(title="草稿", body="未发布。", region=county, year=2031, status=Speech.DRAFT)

    listing = Speech.objects.published().in_region(province).newest_first()

    assert rows_by_id(listing, 0, 3) == kept[::-1][:3]
    assert rows_by_id(listing, 3, 10) == kept[::-1][3:]
    assert rows_by_id(listing, 10, 20) == []
