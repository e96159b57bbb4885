"""/api/schema/ describes the API, and requests generated from it (schemathesis) never
get a server error, nor a response that contradicts the description."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import unsupported_method

from speeches.models import Citation, Official, Section, SpeechTopic
from speeches.openapi import openapi_document
from speeches.search import process_pending
from tests.factories import make_region, make_speech, make_topic

schema = schemathesis.openapi.from_dict(openapi_document("http://testserver/"))


def wsgi_app(environ, start_response):
    # A handler per request: middleware reads settings when loaded, and the tests'
    # settings (plain HTTP, no rate limit) apply only once a test runs.
    return WSGIHandler()(environ, start_response)


schema.app = wsgi_app


@pytest.fixture
def archive(db, settings):
    settings.API_ANON_RATE_PER_MINUTE = 0
    county = make_region("411628", "鹿邑县", level="county")
    topic = make_topic("信访", "petitions")
    official = Official.objects.create(name="王明", title="县长")
    for n in range(3):
        speech = make_speech(
            title=f"全县信访工作会议讲话{n}",
            body=f"同志们:\n一、做好信访工作\n王明县长强调第{n}项<b>要求</b>。",
            region=county,
            year=2010 + n,
        )
        Section.objects.create(speech=speech, order=1, number="一、", heading="做好信访工作", level=1, start=5, end=12)
        SpeechTopic.objects.create(speech=speech, topic=topic, score=1.0)
        Citation.objects.create(speech=speech, official=official, mention="王明县长", offset=13)
    process_pending()
    # As Django's test client does: keep the connection that holds the test's transaction
    # open across requests (on PostgreSQL, request_finished would close it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_schema_is_served_and_names_every_endpoint(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/speeches/", "/api/speeches/{id}/", "/api/search/", "/api/regions/", "/api/topics/",
                 "/api/officials/", "/api/trends/", "/api/speeches/{id}/reuse/"):
        assert path in paths


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_generated_requests_get_no_server_error_and_match_the_schema(case, archive):
    # Methods the API does not offer are refused by Django's CSRF protection (403) before
    # they reach the view's 405: both refuse, so that check is left out.
    case.call_and_validate(excluded_checks=[unsupported_method])
