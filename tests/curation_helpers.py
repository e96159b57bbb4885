"""Helpers for the curation tests: admin users in the curator and viewer groups the
data migration creates, and the POST data of an admin form as the browser sends it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from speeches import jobs
from tests.conftest import FIXTURES_DIR

COMPILATION = FIXTURES_DIR / "ingest" / "compilation_basic.txt"
COUNTY_PAGE = FIXTURES_DIR / "extract_county_page.txt"


def staff_member(group, username=None, is_staff=True):
    """A staff user in the group `group` ("curator" or "viewer")."""
    user = get_user_model().objects.create_user(username or group, password=None, is_staff=is_staff)
    user.groups.add(Group.objects.get(name=group))
    return user


def logged_in(client, group, **kwargs):
    client.force_login(staff_member(group, **kwargs))
    return client


def _values(form):
    """{html name: value(s)} of a Django form as its HTML would submit it."""
    data = {}
    for name in form.fields:
        bound = form[name]
        value = bound.value()
        if bound.field.show_hidden_initial:
            # Fields with callable defaults carry their initial value in a hidden input.
            data[bound.html_initial_name] = bound.field.prepare_value(bound.initial)
        if value is None or value is False:
            continue
        if value is True:
            data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = str(value)
    return data


def change_form_data(response):
    """The POST data of an admin change form page as loaded, inlines included."""
    data = _values(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        data.update(_values(formset.management_form))
        for form in formset.forms:
            data.update(_values(form))
    return data


def edit_speech(client, speech, **changes):
    """Submit the speech's change form with `changes`; returns the response."""
    url = reverse("admin:speeches_speech_change", args=[speech.pk])
    data = change_form_data(client.get(url))
    data.update({name: "" if value is None else str(value) for name, value in changes.items()})
    return client.post(url, data)


def run_jobs():
    """What the job worker does (manage.py run_jobs --once): every queued job, to the end."""
    jobs.work(once=True)


def post_upload(client, *files, status="draft"):
    """POST files [(name, bytes)] to the admin's import page."""
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    return client.post(reverse("admin:speeches_source_import"), {"files": uploads, "status": status})


def upload(client, *files, status="draft"):
    """post_upload(); when the upload is taken (a redirect to its job's page), run the job
    worker, then return the job's page."""
    response = post_upload(client, *files, status=status)
    if response.status_code != 302 or "/job/" not in response["Location"]:
        return response
    run_jobs()
    return client.get(response["Location"])


def run_action(client, model_name, action, objects, **extra):
    """Run a changelist action on `objects`."""
    data = {"action": action, "_selected_action": [str(obj.pk) for obj in objects], **extra}
    return client.post(reverse(f"admin:speeches_{model_name}_changelist"), data)
