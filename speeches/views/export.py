"""Downloads of one speech: plain text and Word."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from speeches.export import speech_as_docx, speech_as_text
from speeches.models import Speech

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _published_speech(uid):
    speech = get_object_or_404(
        Speech.objects.select_related("region", "source").prefetch_related("sections"), uid=uid
    )
    if not speech.is_public:
        raise Http404("该讲话未公开")
    return speech


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def speech_text(request, uid):
    speech = _published_speech(uid)
    text = speech_as_text(speech, request.build_absolute_uri(speech.get_absolute_url()))
    return _download(text, "text/plain; charset=utf-8", f"speech-{speech.uid}.txt")


def speech_docx(request, uid):
    speech = _published_speech(uid)
    content = speech_as_docx(speech, request.build_absolute_uri(speech.get_absolute_url()))
    return _download(content, DOCX_TYPE, f"speech-{speech.uid}.docx")
