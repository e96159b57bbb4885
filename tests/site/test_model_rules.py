"""Rules kept on the models, each in one place: which speeches are merged copies, how a
new speech gets its hash and public id, how an outline is written, and how a value too
long for its column is cut."""

import pytest

from speeches import identity
from speeches.ingest.sections import find_sections
from speeches.models import Official, Section, Speech, UidsInUse, fit, fit_value
from tests.factories import make_speech

pytestmark = pytest.mark.django_db


def test_a_speech_merged_into_another_is_a_merged_copy_and_one_pointing_at_itself_is_not():
    kept = make_speech(title="保留的一篇", body="同志们：\n今天开会。")
    copy = make_speech(title="并入的一篇", body="同志们：\n今天开会了。", merged_into=kept)
    itself = make_speech(title="指向自己", body="同志们：\n明天开会。")
    itself.merged_into = itself
    itself.save()

    assert copy.is_merged_copy and not kept.is_merged_copy and not itself.is_merged_copy
    assert set(Speech.objects.not_merged()) == {kept, itself}


def test_a_new_speech_gets_the_hash_of_its_title_and_body_and_a_public_id_from_it():
    speech = Speech.objects.create_from_text("全县春耕生产会议上的讲话", "同志们：\n抓好春耕。")

    assert speech.content_hash == identity.speech_hash("全县春耕生产会议上的讲话", "同志们：\n抓好春耕。")
    assert speech.uid == speech.content_hash[:10]
    # Whitespace is not part of a text's identity.
    assert identity.speech_hash("全县 春耕", "抓好\n春耕。") == identity.speech_hash("全县春耕", "抓好春耕。")


def test_a_second_speech_with_the_same_text_gets_a_longer_public_id():
    first = Speech.objects.create_from_text("同一标题", "同一正文。")
    second = Speech.objects.create_from_text("同一标题", "同一正文。")

    assert second.uid != first.uid and second.uid.startswith(first.uid)


def test_public_ids_looked_up_for_a_whole_file_are_the_ones_asked_one_by_one(django_assert_num_queries):
    taken = Speech.objects.create_from_text("同一标题", "同一正文。")
    texts = [("同一标题", "同一正文。"), ("同一标题", "同一正文。"), ("另一标题", "另一正文。")]
    hashes = [identity.speech_hash(title, body) for title, body in texts]

    with django_assert_num_queries(1):
        in_use = UidsInUse(hashes * 300)  # 900 hashes, three distinct: one query
    made = [Speech.objects.create_from_text(title, body, uids_in_use=in_use) for title, body in texts]

    # The taken short id is lengthened, twice for the second copy (the first copy took
    # the 12-character one); the other text keeps its 10 characters.
    assert [speech.uid for speech in made] == [hashes[0][:12], hashes[0][:14], hashes[2][:10]]
    assert taken.uid == hashes[0][:10]
    # Ids it did not look up are asked of the database.
    assert in_use.take(hashes[0][:12]) is None and in_use.take(hashes[2][:10]) is False


def test_writing_sections_replaces_the_outline():
    speech = make_speech(title="工作报告", body="一、过去一年的工作\n做了很多事。\n二、今年的任务\n还要做很多事。")
    speech.write_sections(find_sections(speech.body))
    speech.write_sections(find_sections(speech.body))

    assert list(Section.objects.filter(speech=speech).values_list("number", "heading")) == [
        ("一、", "过去一年的工作"), ("二、", "今年的任务"),
    ]


def test_texts_too_long_for_their_column_are_cut_at_its_length_and_other_values_kept():
    values = fit(Official, name="张" * 80, title="局长", name_is_partial=False)

    assert values == {"name": "张" * 50, "title": "局长", "name_is_partial": False}
    assert fit_value(Speech, "title", "题" * 400) == "题" * identity.TITLE_LENGTH
