"""The segmenter's vocabulary: names of officials, regions and topics are words, and
a change to them reaches every process without a restart."""

import pytest

from speeches.models import Official
from speeches.search import dictionary
from tests.factories import make_topic

pytestmark = pytest.mark.django_db


def test_topic_keywords_and_official_names_are_cut_as_words(settings, django_capture_on_commit_callbacks):
    assert "岭上云田" not in dictionary.cut_words("推进岭上云田建设")
    with django_capture_on_commit_callbacks(execute=True):
        topic = make_topic("农村流通", "rural-trade")
        topic.keywords = ["岭上云田"]
        topic.save()
        Official.objects.create(name="禾丰登", title="县长")

    assert "岭上云田" in dictionary.cut_words("推进岭上云田建设")
    assert "禾丰登" in dictionary.cut_words("禾丰登县长指出")


def test_a_renamed_official_replaces_the_old_word(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        official = Official.objects.create(name="禾丰登")
    assert "禾丰登" in dictionary.cut_words("他说禾丰登来了")

    with django_capture_on_commit_callbacks(execute=True):
        official.name = "禾丰收"
        official.save()

    assert "禾丰收" in dictionary.cut_words("他说禾丰收来了")
    assert "禾丰登" not in dictionary.vocabulary()


def test_the_vocabulary_file_lives_in_the_index_directory(settings):
    dictionary.segmenter()

    assert (settings.SEARCH_INDEX_DIR / dictionary.FILE_NAME).exists()


def test_an_edit_in_another_process_is_picked_up_through_the_file(settings):
    Official.objects.create(name="禾丰登")
    dictionary.segmenter()
    Official.objects.create(name="岳麓峰")
    assert "岳麓峰" not in dictionary.cut_words("岳麓峰同志")  # this process has not been told

    dictionary.mark_stale()  # what the other process does after its commit

    assert "岳麓峰" in dictionary.cut_words("岳麓峰同志")
