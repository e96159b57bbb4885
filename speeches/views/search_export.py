"""Every speech a search finds, streamed as CSV or JSON (GET /api/search/?q=…&format=csv)."""

import csv
import json

from django.http import StreamingHttpResponse

from speeches.export import spreadsheet_safe
from speeches.models import Speech
from speeches.search import matching_ids
from speeches.serializers import EXPORT_FIELDS, speech_export_record

EXPORT_FORMATS = ("csv", "json")
CHUNK = 200


class _Echo:
    """csv.writer target that hands each row back instead of storing it."""

    def write(self, value):
        return value


def _speeches(ids):
    # Newest first; the queryset is walked in chunks so memory stays flat for any size.
    return (
        Speech.objects.filter(pk__in=ids)
        .select_related("region", "source", "speaker")
        .prefetch_related("topics")
        .defer("source__intro")
        .newest_first()
        .iterator(chunk_size=CHUNK)
    )


def _csv_rows(speeches, base_url):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a byte-order mark so spreadsheet programs read UTF-8 Chinese
    yield writer.writerow(EXPORT_FIELDS)
    for speech in speeches:
        record = speech_export_record(speech, base_url)
        record["topics"] = ";".join(record["topics"])
        yield writer.writerow([spreadsheet_safe(record[field]) if record[field] is not None else "" for field in EXPORT_FIELDS])


def _json_items(speeches, base_url, query):
    yield '{"query": ' + json.dumps(query, ensure_ascii=False) + ', "results": ['
    for n, speech in enumerate(speeches):
        yield ("," if n else "") + "\n" + json.dumps(speech_export_record(speech, base_url), ensure_ascii=False)
    yield "\n]}\n"


def export_response(request, search_request, fmt):
    ids = matching_ids(search_request)
    base_url = request.build_absolute_uri("/").rstrip("/")
    speeches = _speeches(ids)
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_rows(speeches, base_url), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(
            _json_items(speeches, base_url, search_request.q), content_type="application/json; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="search-results.{fmt}"'
    response["X-Total-Count"] = str(len(ids))
    return response
