"""Importing from the admin: upload files or a zip, choose drafts or published, read
the report; other types and oversized files are refused with a message."""

import io
import zipfile

import pytest
from django.urls import reverse

from speeches.models import Source, Speech
from tests.conftest import shared_path
from tests.curation_helpers import COMPILATION, logged_in, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


def test_a_curator_imports_a_compilation_page_as_drafts_and_reads_the_report(curator):
    response = upload(curator, ("compilation_basic.txt", COMPILATION.read_bytes()), status="draft")

    assert response.status_code == 200
    (report,) = response.context["reports"]
    assert report.ok and len(report.created) == 3
    html = response.content.decode()
    assert "新建 3 篇" in html
    # Repairs, merged copies, debris and warnings are all in the report.
    assert "刚才,张红梅同志在工作报告中" in html
    assert "合并的重复副本</th><td>1" in html
    assert "页尾推荐 3" in html
    assert "这篇讲话没有标题行" in html
    assert set(Speech.objects.values_list("status", flat=True)) == {Speech.DRAFT}
    # A draft is not public yet.
    speech = Speech.objects.get(title="街道环境整治工作会议讲话")
    assert curator.get(speech.get_absolute_url()).status_code == 404


def test_published_imports_are_public_and_searchable_at_once(curator):
    upload(curator, ("compilation_basic.txt", COMPILATION.read_bytes()), status="published")

    speech = Speech.objects.get(title="街道环境整治工作会议讲话")
    assert curator.get(speech.get_absolute_url()).status_code == 200
    hits = curator.get(reverse("speeches:api_search"), {"q": "环境整治"}).json()
    assert hits["total"] == 1


def test_several_files_and_a_zip_import_in_one_upload(curator):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("pages/one.txt", "第一篇讲话\n\n同志们:\n今天部署防汛工作。\n")
        zipped.writestr("notes.bin", b"\x00\x01")
    single = "第二篇讲话\n\n同志们:\n今天部署抗旱工作。\n".encode()

    response = upload(curator, ("pages.zip", archive.getvalue()), ("two.txt", single), status="published")

    reports = response.context["reports"]
    assert [r.path for r in reports] == ["pages.zip!/pages/one.txt", "two.txt"]
    assert all(r.ok for r in reports)
    assert response.context["totals"]["created"] == 2
    assert set(Source.objects.values_list("path", flat=True)) == {"upload/pages.zip!/pages/one.txt", "upload/two.txt"}


def test_the_seed_page_imports_from_the_admin(curator):
    seed = next(shared_path("corpus", "seed").glob("*.txt"))

    response = upload(curator, (seed.name, seed.read_bytes()), status="published")

    (report,) = response.context["reports"]
    assert report.ok and len(report.created) == 14
    assert report.duplicates_merged == 2
    assert Speech.objects.published().count() == 14
    first = Speech.objects.order_by("position").first()
    assert curator.get(first.get_absolute_url()).status_code == 200


def test_a_second_upload_of_the_same_file_changes_nothing(curator):
    upload(curator, ("compilation_basic.txt", COMPILATION.read_bytes()))

    response = upload(curator, ("compilation_basic.txt", COMPILATION.read_bytes()))

    (report,) = response.context["reports"]
    assert report.created == [] and len(report.unchanged) == 3
    assert Speech.objects.count() == 3


def test_other_file_types_and_oversized_files_are_refused_and_the_rest_imports(curator, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 200

    response = upload(
        curator,
        ("script.exe", b"MZ"),
        ("large.txt", "很长的讲话\n\n同志们:\n".encode() + "长".encode() * 200),
        ("small.txt", "短讲话\n\n同志们:\n会议很短。\n".encode()),
    )

    assert response.status_code == 200
    refused_type, refused_size, imported = response.context["reports"]
    assert not refused_type.ok and ".txt" in refused_type.error and ".zip" in refused_type.error
    assert not refused_size.ok and "上限" in refused_size.error
    assert imported.ok
    assert list(Speech.objects.values_list("title", flat=True)) == ["短讲话"]
    html = response.content.decode()
    assert "类型不能导入" in html and "超过了单个文件" in html


def test_a_broken_zip_is_reported_not_a_server_error(curator):
    response = upload(curator, ("broken.zip", b"PK\x03\x04 not really a zip"))

    assert response.status_code == 200
    (report,) = response.context["reports"]
    assert not report.ok and "zip" in report.error


def test_the_browser_file_name_is_only_a_label_never_a_path(curator):
    upload(curator, ("..\\..\\windows\\evil.txt", "讲话\n\n同志们:\n内容。\n".encode()))
    upload(curator, ("../../etc/passwd.txt", "另一篇讲话\n\n同志们:\n内容二。\n".encode()))

    assert set(Source.objects.values_list("path", flat=True)) == {"upload/evil.txt", "upload/passwd.txt"}


def test_the_import_form_asks_for_a_file(curator):
    response = curator.post(reverse("admin:speeches_source_import"), {"status": "draft"})

    assert response.status_code == 200
    assert response.context["form"].errors["files"]
    assert Source.objects.count() == 0


def test_the_source_list_links_to_the_import_page(curator):
    html = curator.get(reverse("admin:speeches_source_changelist")).content.decode()

    assert reverse("admin:speeches_source_import") in html


def test_a_viewer_cannot_import(client):
    viewer = logged_in(client, "viewer")

    assert viewer.get(reverse("admin:speeches_source_import")).status_code == 403
    response = upload(viewer, ("compilation_basic.txt", COMPILATION.read_bytes()))
    assert response.status_code == 403
    assert Speech.objects.count() == 0
