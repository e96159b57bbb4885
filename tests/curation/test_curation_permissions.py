"""Who may do what: curators change the archive, viewers only look, only staff reach
the admin, every change needs the CSRF token and is recorded in the history."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from speeches.curation.history import ensure_baseline
from speeches.models import ReviewItem, Speech
from tests.curation_helpers import (
    change_form_data,
    edit_speech,
    logged_in,
    run_action,
    staff_member,
)
from tests.factories import make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


def test_the_migration_creates_a_curator_and_a_viewer_group():
    curator = set(Group.objects.get(name="curator").permissions.values_list("codename", flat=True))
    viewer = set(Group.objects.get(name="viewer").permissions.values_list("codename", flat=True))

    assert {"change_speech", "add_source", "delete_speech", "change_reviewitem", "add_dictionaryterm"} <= curator
    assert {"view_speech", "view_historicalspeech", "view_searchquerylog"} <= curator
    assert "delete_region" not in curator
    assert viewer and all(codename.startswith("view_") for codename in viewer)
    assert {"view_speech", "view_reviewitem", "view_historicalspeech"} <= viewer


def test_a_viewer_sees_speeches_but_cannot_change_them(client):
    speech = make_speech(title="原来的标题")
    viewer = logged_in(client, "viewer")

    assert viewer.get(reverse("admin:speeches_speech_changelist")).status_code == 200
    page = viewer.get(reverse("admin:speeches_speech_change", args=[speech.pk]))
    assert page.status_code == 200 and "原来的标题" in page.content.decode()
    assert not page.context["has_change_permission"]
    assert viewer.get(reverse("admin:speeches_speech_history", args=[speech.pk])).status_code == 200

    response = viewer.post(reverse("admin:speeches_speech_change", args=[speech.pk]), {"title": "改掉"})
    assert response.status_code == 403
    speech.refresh_from_db()
    assert speech.title == "原来的标题"


def test_a_viewer_is_offered_no_actions_and_cannot_run_them(client):
    speech = make_speech()
    viewer = logged_in(client, "viewer")

    response = viewer.get(reverse("admin:speeches_speech_changelist"))
    assert response.context["action_form"] is None or not [
        name for name, _ in response.context["action_form"].fields["action"].choices if name
    ]
    run_action(viewer, "speech", "withdraw_speeches", [speech])

    speech.refresh_from_db()
    assert speech.status == Speech.PUBLISHED


def test_a_viewer_cannot_open_the_curators_pages(client):
    speech = make_speech(body="同志们:\n第一段。\n第二段。")
    item = ReviewItem.objects.create(speech=speech, field=ReviewItem.DATE, value="2020-01-01", confidence=0.2)
    viewer = logged_in(client, "viewer")

    assert viewer.get(reverse("admin:speeches_speech_split", args=[speech.pk])).status_code == 403
    assert viewer.get(reverse("admin:speeches_speech_merge"), {"ids": f"{speech.pk}"}).status_code == 403
    assert viewer.post(reverse("admin:speeches_reviewitem_fix", args=[item.pk]), {"date": "2020-02-02"}).status_code == 403
    ensure_baseline([speech])
    record = speech.history.get()
    revert = reverse("admin:speeches_speech_simple_history", args=[speech.pk, record.history_id])
    page = viewer.get(revert)
    assert page.status_code == 200 and page.context["revert_disabled"]
    assert viewer.post(revert, change_form_data(page)).status_code == 403


def test_a_curator_who_is_not_staff_is_sent_to_the_login_page(client):
    client.force_login(staff_member("curator", is_staff=False))

    response = client.get(reverse("admin:speeches_speech_changelist"))

    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_changes_without_the_csrf_token_are_refused():
    speech = make_speech(title="原来的标题")
    browser = Client(enforce_csrf_checks=True)
    logged_in(browser, "curator")
    url = reverse("admin:speeches_speech_change", args=[speech.pk])
    data = change_form_data(browser.get(url))
    data["title"] = "没有令牌的修改"

    assert browser.post(url, data).status_code == 403
    assert run_action(browser, "speech", "withdraw_speeches", [speech]).status_code == 403
    speech.refresh_from_db()
    assert speech.title == "原来的标题" and speech.status == Speech.PUBLISHED


def test_every_admin_change_is_recorded_with_its_author(client):
    speech = make_speech()
    curator = logged_in(client, "curator", username="recorder")

    edit_speech(curator, speech, title="改过的标题")
    run_action(curator, "speech", "withdraw_speeches", [speech])

    authored = speech.history.filter(history_user__username="recorder")
    assert list(authored.order_by("history_date").values_list("title", "status")) == [
        ("改过的标题", Speech.PUBLISHED),
        ("改过的标题", Speech.WITHDRAWN),
    ]
