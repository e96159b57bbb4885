"""Requests carrying a NUL character (%00) in their address or in a parameter's value are
refused with 400 before any view runs. No visitor types one, and no view can look such a
value up: PostgreSQL refuses NUL in text, so /regions/%00/ or ?region=%00 would otherwise
be a 500. The API answers in JSON, as for its other errors.

One exception: the text typed into the search box (q on the search page, API and feed) is
read by the query parser, which takes control characters, NUL included, for spaces."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import reverse

NUL = "\x00"
MESSAGE = "请求的地址或参数中含有空字符（%00），无法处理。"
SEARCH_TEXT = "q"


def _search_paths():
    return {reverse(name) for name in ("speeches:search", "speeches:api_search", "speeches:feed_search")}


def _carries_nul(querydict, free_text=()):
    return any(NUL in value for key, values in querydict.lists() if key not in free_text for value in values)


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.search_paths = None

    def __call__(self, request):
        if self.search_paths is None:
            self.search_paths = _search_paths()
        free_text = (SEARCH_TEXT,) if request.path in self.search_paths else ()
        if (
            NUL in request.path
            or _carries_nul(request.GET, free_text)
            or (request.method == "POST" and _carries_nul(request.POST))
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"error": MESSAGE}, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
