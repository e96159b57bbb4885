"""A person is public only through published speeches: someone cited only in drafts or
withdrawn speeches has no page, no feed, no search facet or filter label and no place in
the API or the sitemap (ids are sequential: counting would find them)."""

import pytest

from speeches.models import Citation, Official, Speech
from tests.factories import make_speech

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(settings):
    settings.SEARCH_INDEX_UPDATES = "immediate"
    public = Official.objects.create(name="王明", title="市长")
    in_draft = Official.objects.create(name="李草稿", title="副市长")
    in_withdrawn = Official.objects.create(name="赵撤回", title="秘书长")
    speaker = Official.objects.create(name="钱讲话", title="县长")
    published = make_speech(title="防汛工作会议讲话", body="同志们:\n王明市长部署防汛。", speaker=speaker)
    Citation.objects.create(speech=published, official=public, mention="王明市长", offset=4)
    draft = make_speech(title="防汛草稿", body="同志们:\n李草稿副市长部署防汛。", status=Speech.DRAFT)
    Citation.objects.create(speech=draft, official=in_draft, mention="李草稿副市长", offset=4)
    withdrawn = make_speech(title="防汛撤回稿", body="同志们:\n赵撤回秘书长部署防汛。", status=Speech.WITHDRAWN)
    Citation.objects.create(speech=withdrawn, official=in_withdrawn, mention="赵撤回秘书长", offset=4)
    return {"public": public, "speaker": speaker, "hidden": [in_draft, in_withdrawn]}


def test_only_people_of_published_speeches_are_public(people):
    assert set(Official.objects.public()) == {people["public"], people["speaker"]}


def test_a_person_of_unpublished_speeches_has_no_page_and_no_feed(client, people):
    for official in people["hidden"]:
        assert client.get(f"/officials/{official.pk}/").status_code == 404
        assert client.get(f"/feeds/officials/{official.pk}/").status_code == 404
    for official in (people["public"], people["speaker"]):
        assert client.get(f"/officials/{official.pk}/").status_code == 200
        assert client.get(f"/feeds/officials/{official.pk}/").status_code == 200


def test_a_search_filtered_by_a_hidden_person_does_not_name_them(client, people):
    for official in people["hidden"]:
        html = client.get("/search/", {"q": "防汛", "official": official.pk}).content.decode()
        assert official.name not in html
        data = client.get("/api/search/", {"q": "防汛", "official": official.pk}).json()
        assert official.name not in str(data)
    html = client.get("/search/", {"q": "防汛", "official": people["public"].pk}).content.decode()
    assert "人物：王明" in html


def test_search_facets_list_public_people_only(client, people):
    facet = client.get("/api/search/", {"q": "防汛"}).json()["facets"]["official"]
    assert {item["name"] for item in facet} <= {str(people["public"]), str(people["speaker"])}
    assert "王明（市长）" in {item["name"] for item in facet}


def test_the_api_and_the_sitemap_list_public_people_only(client, people):
    names = {item["name"] for item in client.get("/api/officials/").json()["results"]}
    assert "王明" in names and not names & {"李草稿", "赵撤回"}
    sitemap = client.get("/sitemap.xml").content.decode()
    for official in people["hidden"]:
        assert f"/officials/{official.pk}/" not in sitemap
    assert f"/officials/{people['public'].pk}/" in sitemap
