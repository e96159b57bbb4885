"""Shared passages: the API of one speech's, and two speeches compared side by side."""

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from speeches.models import Speech
from speeches.reuse.display import compare, mark_paragraphs, speech_passages
from speeches.throttle import throttled


def reuse_context(speech, paragraphs):
    """What the speech page adds: its shared passages marked in `paragraphs`, how many
    other speeches hold them, and the copies merged into it (to compare)."""
    passages = speech_passages(speech)
    mark_paragraphs(speech, paragraphs, passages)
    return {
        "shared_passages": passages,
        "sharing_speech_count": len({a.speech.pk for p in passages for a in p.also_in}),
        "merged_copies": list(speech.merged_copies.exclude(pk=speech.pk).only("uid", "title")),
    }


def _date(speech):
    return speech.date.isoformat() if speech.date else None


@require_GET
@throttled
def speech_reuse_api(request, uid):
    speech = Speech.objects.filter(uid=uid).select_related("merged_into").first()
    if speech is None:
        return JsonResponse({"error": f"没有编号为 {uid} 的讲话"}, status=404, json_dumps_params={"ensure_ascii": False})
    if speech.is_merged_copy:
        return redirect(reverse("speeches:api_speech_reuse", args=[speech.merged_into.uid]), permanent=True)
    if not speech.is_public:
        return JsonResponse({"error": f"编号为 {uid} 的讲话未公开"}, status=404, json_dumps_params={"ensure_ascii": False})
    passages = [
        {
            "start": passage.start,
            "end": passage.end,
            "text": passage.text,
            "also_in": [
                {
                    "id": other.speech.uid,
                    "title": other.speech.title,
                    "url": other.speech.get_absolute_url(),
                    "date": _date(other.speech),
                    "start": other.start,
                    "end": other.end,
                }
                for other in passage.also_in
            ],
        }
        for passage in speech_passages(speech)
    ]
    return JsonResponse({"id": speech.uid, "passages": passages}, json_dumps_params={"ensure_ascii": False})


def _comparable(uid):
    # Merged copies too: the compare page is how a curator's merge is checked.
    speech = get_object_or_404(Speech.objects.only("uid", "title", "body", "date", "year", "year_masked",
                                                   "status", "merged_into", "region"), uid=uid)
    if not speech.is_public:
        raise Http404("讲话不存在")
    return speech


@require_GET
def compare_page(request, first, second):
    if first == second:
        raise Http404("请选择两篇不同的讲话")
    a, b = _comparable(first), _comparable(second)
    comparison = compare(a, b)
    return render(request, "speeches/compare.html", {"a": a, "b": b, "comparison": comparison})
