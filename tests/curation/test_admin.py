"""The admin: every record can be listed, searched and opened by a superuser."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from speeches.models import (
    Citation,
    JobItem,
    Official,
    PendingIndexUpdate,
    Region,
    Section,
    Source,
    SourceContent,
    Speech,
    SpeechTopic,
    Topic,
)
from tests.factories import make_source, make_speech, make_topic

pytestmark = pytest.mark.django_db


def division(code, name, level=Region.PROVINCE, parent=None):
    """The division with this code: loaded by the gazetteer migration, or created here."""
    defaults = {"name": name, "level": level, "parent": parent}
    return Region.objects.get_or_create(code=code, defaults=defaults)[0]


# Records with no admin list of their own: a source's raw bytes (megabytes; the source's
# page is where curators see a source) and a job's items (listed on the job's page).
SHOWN_WITH_ANOTHER = {SourceContent, JobItem}
ARCHIVE_MODELS = [model for model in apps.get_app_config("speeches").get_models() if model not in SHOWN_WITH_ANOTHER]
# The records one_of_each creates a row of.
FILLED_MODELS = [
    Source,
    Speech,
    Section,
    Official,
    Citation,
    Region,
    Topic,
    SpeechTopic,
    PendingIndexUpdate,
]


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser(
        "curator", "curator@example.org", password=None
    )
    client.force_login(user)
    return client


@pytest.fixture
def one_of_each():
    """At least one row of every model, so the changelists render real rows."""
    province = division("44", "广东省")
    city = division("4403", "深圳市", Region.PREFECTURE, province)
    source = make_source(title="汇编<script>alert(1)</script>")
    speech = make_speech(title="在全市会议上的讲话", region=city, source=source, year=2020)
    speech.topics.add(make_topic("科技创新", "innovation"))
    Section.objects.create(
        speech=speech, order=1, number="一、", heading="总体要求", level=1, start=0, end=6
    )
    official = Official.objects.create(name="王明远", title="副市长")
    Citation.objects.create(speech=speech, official=official, mention="王明远", offset=0)
    PendingIndexUpdate.objects.create(speech_id=speech.pk)
    return speech


def test_every_model_of_the_archive_is_registered():
    assert [model for model in ARCHIVE_MODELS if not admin.site.is_registered(model)] == []


@pytest.mark.parametrize("model", ARCHIVE_MODELS, ids=lambda m: m.__name__)
def test_every_changelist_loads_for_a_superuser(superuser_client, one_of_each, model):
    url = reverse(f"admin:speeches_{model._meta.model_name}_changelist")

    response = superuser_client.get(url)

    assert response.status_code == 200
    if model in FILLED_MODELS:
        assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", ARCHIVE_MODELS, ids=lambda m: m.__name__)
def test_every_changelist_search_answers(superuser_client, one_of_each, model):
    url = reverse(f"admin:speeches_{model._meta.model_name}_changelist")

    assert superuser_client.get(url, {"q": "王明远"}).status_code == 200


@pytest.mark.parametrize("model", FILLED_MODELS, ids=lambda m: m.__name__)
def test_every_change_form_opens(superuser_client, one_of_each, model):
    row = model.objects.first()
    url = reverse(f"admin:speeches_{model._meta.model_name}_change", args=[row.pk])

    assert superuser_client.get(url).status_code == 200


def test_the_speech_form_has_section_citation_and_topic_inlines(superuser_client, one_of_each):
    url = reverse("admin:speeches_speech_change", args=[one_of_each.pk])

    html = superuser_client.get(url).content.decode()

    assert 'id="sections-group"' in html
    assert 'id="citations-group"' in html
    assert 'id="speechtopic_set-group"' in html
    assert "总体要求" in html
    # The region is picked by autocomplete, not a select of every division.
    assert "admin-autocomplete" in html


def test_the_speech_form_offers_every_editable_field(superuser_client, one_of_each):
    url = reverse("admin:speeches_speech_change", args=[one_of_each.pk])

    form = superuser_client.get(url).context["adminform"].form

    editable = {
        field.name
        for field in Speech._meta.get_fields()
        if getattr(field, "editable", False)
        and not field.auto_created
        and not field.many_to_many
        and field.name not in ("created_at", "updated_at")
    }
    shown_read_only = set(admin.site.get_model_admin(Speech).readonly_fields)
    assert editable - set(form.fields) - shown_read_only == set()


def test_the_region_autocomplete_finds_regions_by_name(superuser_client, one_of_each):
    response = superuser_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "speeches", "model_name": "speech", "field_name": "region", "term": "深圳"},
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["深圳市"]


def test_the_speech_changelist_filters_by_status(superuser_client, one_of_each):
    make_speech(title="草稿讲话", body="草稿。", status=Speech.DRAFT)
    url = reverse("admin:speeches_speech_changelist")

    response = superuser_client.get(url, {"status__exact": Speech.DRAFT})

    assert [s.title for s in response.context["cl"].result_list] == ["草稿讲话"]


def test_the_admin_is_closed_to_anonymous_visitors(client):
    response = client.get(reverse("admin:speeches_speech_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
