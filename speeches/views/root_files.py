"""The files clients ask for at the root of a site by convention: /robots.txt for
crawlers and /favicon.ico for browsers, feed readers and bookmarks that do not read the
page's icon link (or cannot show an SVG icon).

static/favicon.ico is static/favicon.svg drawn at 16, 32 and 48 px (PNG images in an
ICO file)."""

from functools import lru_cache

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

ICON = "favicon.ico"


@require_safe
@cache_control(public=True, max_age=86400)
def robots_txt(request):
    """Crawlers may read every public page; they are kept out of the admin, the JSON API,
    searches and downloads (endless combinations of the pages they already have), and
    told where the sitemap is."""
    context = {"sitemap_url": request.build_absolute_uri(reverse("speeches:sitemap"))}
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")


@lru_cache(maxsize=1)
def _icon_bytes():
    path = finders.find(ICON)
    if path is None:
        return None
    with open(path, "rb") as handle:
        return handle.read()


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    icon = _icon_bytes()
    if icon is None:
        raise Http404("没有网站图标")
    return HttpResponse(icon, content_type="image/x-icon")
