"""Small builders for test records; importer tests use fixture files instead."""

from speeches.models import Region, Source, SourceContent, Speech, Topic, content_hash


def make_source(path="test/source.txt", title="测试来源", **fields):
    raw = fields.pop("raw_bytes", f"{path}:{title}".encode())
    source = Source.objects.create(
        path=path, title=title, raw_sha256=content_hash(raw.decode("utf-8", "replace")), **fields
    )
    SourceContent.objects.create(source=source, raw_bytes=raw)
    return source


def make_speech(title="测试讲话", body="同志们:\n今天我们开会。", **fields):
    digest = content_hash(title + body)
    fields.setdefault("status", Speech.PUBLISHED)
    return Speech.objects.create(
        uid=Speech.new_uid(digest), title=title, body=body, content_hash=digest, **fields
    )


def make_region(code, name, level=Region.PROVINCE, parent=None):
    """The region with this code: the gazetteer migration loads real divisions, so most exist."""
    region, _created = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    return region


def make_topic(name, slug):
    """The topic of this name (the taxonomy migration loads many), created if missing."""
    return Topic.objects.filter(name=name).first() or Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0]
