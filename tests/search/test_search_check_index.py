"""check_index finds drift between database and index (missing, stale and extra
entries) and --repair removes it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from speeches import search
from speeches.models import PendingIndexUpdate, Speech
from tests.factories import make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


def titles(query):
    return {hit.speech.title for hit in search.search({"q": query}).hits}


def test_an_index_in_step_with_the_database_reports_no_drift(capsys):
    make_speech(title="讲话", body="防汛。")

    call_command("check_index")

    out = capsys.readouterr().out
    assert "已核对 1 篇讲话" in out
    assert "检索索引与数据库一致" in out


def test_missing_stale_and_extra_entries_are_reported(settings):
    indexed = make_speech(title="会被悄悄改的讲话", body="旧文本。")
    gone = make_speech(title="会被悄悄删的讲话", body="删掉的文本。")
    gone_id = gone.pk
    settings.SEARCH_INDEX_UPDATES = "queue"
    # Changes that bypass the queue: bulk writes send no signals.
    missing = Speech.objects.bulk_create(
        [Speech(uid="bulkmissing", title="没进索引的讲话", body="新文本。", content_hash="x")]
    )[0]
    Speech.objects.filter(pk=indexed.pk).update(body="改过的文本。")
    gone.delete()
    PendingIndexUpdate.objects.all().delete()  # as if the queue had been lost

    drift = search.check()

    assert drift.missing == [missing.pk]
    assert drift.stale == [indexed.pk]
    assert drift.extra == [gone_id]
    assert not drift.ok


def test_repair_brings_the_index_back_in_step(settings):
    indexed = make_speech(title="讲话甲", body="旧文本。")
    gone = make_speech(title="讲话乙", body="删掉的文本。")
    settings.SEARCH_INDEX_UPDATES = "queue"
    Speech.objects.bulk_create([Speech(uid="bulkmissing", title="讲话丙", body="新文本。", content_hash="x")])
    Speech.objects.filter(pk=indexed.pk).update(title="讲话甲(改)", body="改过的文本。")
    gone.delete()
    PendingIndexUpdate.objects.all().delete()

    search.check(repair=True)

    assert search.check().ok
    assert titles("文本") == {"讲话甲(改)", "讲话丙"}


def test_the_command_fails_on_drift_and_succeeds_with_repair(settings, capsys):
    make_speech(title="讲话", body="防汛。")
    Speech.objects.filter(title="讲话").update(status=Speech.WITHDRAWN)

    with pytest.raises(CommandError) as failure:
        call_command("check_index")
    assert failure.value.returncode == 1
    assert "索引内容过时：1 篇" in capsys.readouterr().out

    call_command("check_index", "--repair")
    assert "已修复 1 条" in capsys.readouterr().out
    assert titles("防汛") == set()
    call_command("check_index")
