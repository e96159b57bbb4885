"""Shared passages as pages show them: a speech's passages with the other speeches
holding them, the text cut into marked segments, and two speeches aligned side by side."""

from dataclasses import dataclass, field
from html import escape

import numpy as np
from django.utils.safestring import mark_safe

from speeches.models import PassageChunk, Speech
from speeches.reuse.align import align
from speeches.reuse.detect import CONFIRM, NUM_PERM, covered, earliest_first, earliest_key
from speeches.reuse.text import body_span, key_text

# Other speeches named after a passage on the speech page (the API lists them all).
ALSO_IN_SHOWN = 8


@dataclass
class AlsoIn:
    speech: Speech
    start: int
    end: int
    chunk_id: int

    @property
    def url(self):
        return f"{self.speech.get_absolute_url()}#shared-{self.chunk_id}"


@dataclass
class Passage:
    """A stretch of a speech's body other speeches hold too, earliest of them first."""

    start: int
    end: int
    text: str
    anchor: str
    also_in: list = field(default_factory=list)

    @property
    def shown(self):
        return self.also_in[:ALSO_IN_SHOWN]

    @property
    def not_shown(self):
        return max(0, len(self.also_in) - ALSO_IN_SHOWN)


def _hashes(stored):
    # A chunk written before its shared part had a MinHash agrees with nothing.
    if not stored:
        return np.zeros(NUM_PERM, dtype=np.uint32)
    return np.frombuffer(bytes(stored), dtype=np.uint32)


def _public_speeches(ids):
    """{id: Speech with uid, title and dates} of the published ones among ids. Dates are
    stored after a speech's text, so they are read from the index that covers them (status,
    date, year, …) and the rows only up to the title: reading whole rows read the texts."""
    dates = {
        pk: (date, year, masked)
        for pk, date, year, masked in Speech.objects.filter(status=Speech.PUBLISHED, pk__in=ids)
        .values_list("id", "date", "year", "year_masked")
    }
    speeches = {}
    for speech in Speech.objects.filter(pk__in=list(dates)).only("id", "uid", "title"):
        speech.date, speech.year, speech.year_masked = dates[speech.pk]
        speeches[speech.pk] = speech
    return speeches


def speech_passages(speech):
    """The speech's shared passages in the order of its text, each with the other speeches
    holding the same text (checked chunk by chunk: a passage joined through a third speech
    may hold other text); overlapping ones (windows of one paragraph) are joined."""
    own = list(
        PassageChunk.objects.filter(speech=speech).exclude(passage=None)
        .order_by("shared_start", "id").values_list("id", "passage_id", "shared_start", "shared_end", "shared_minhash")
    )
    if not own:
        return []
    others = {}
    rows = list(
        PassageChunk.objects.filter(passage__in={row[1] for row in own}).exclude(speech=speech)
        .values_list("id", "passage_id", "speech_id", "shared_start", "shared_end", "shared_minhash")
    )
    speeches = _public_speeches({row[2] for row in rows})
    for chunk_id, passage_id, speech_id, start, end, hashed in rows:
        if speech_id in speeches:  # not withdrawn since the finder ran
            others.setdefault(passage_id, []).append((speech_id, start, end, chunk_id, hashed))
    # Each passage's other shared parts as one matrix of MinHashes: a chunk is compared
    # with all of them in one numpy operation.
    matrices = {
        passage_id: np.vstack([_hashes(row[4]) for row in found]) for passage_id, found in others.items()
    }
    order = sorted(speeches.values(), key=earliest_key)
    rank = {other.pk: n for n, other in enumerate(order)}
    passages = []
    for chunk_id, passage_id, start, end, hashed in own:
        found = others.get(passage_id, [])
        agree = (matrices[passage_id] == _hashes(hashed)).mean(axis=1) >= CONFIRM if found else []
        holders = sorted((row for row, same in zip(found, agree, strict=True) if same),
                         key=lambda row: (rank[row[0]], row[1]))
        if passages and start < passages[-1].end:
            passage = passages[-1]
            passage.end = max(passage.end, end)
            passage.text = speech.body[passage.start : passage.end]
        elif holders:
            passage = Passage(start, end, speech.body[start:end], f"shared-{chunk_id}")
            passages.append(passage)
        else:
            continue  # nobody holds this very text (or they were withdrawn since)
        known = {a.speech.pk: a for a in passage.also_in}
        for speech_id, other_start, other_end, other_chunk, _hashed in holders:
            # One entry per speech, from its first holding chunk to its last.
            found = known.get(speech_id)
            if found is None:
                known[speech_id] = AlsoIn(speeches[speech_id], other_start, other_end, other_chunk)
            else:
                found.start, found.end = min(found.start, other_start), max(found.end, other_end)
        passage.also_in = sorted(known.values(), key=lambda a: rank[a.speech.pk])
    return [passage for passage in passages if passage.also_in]


def segments(text, offset, passages):
    """text (found at `offset` in the body) cut into [{"text", "passage", "first"}]:
    the parts inside a passage carry it, the first part of each its anchor."""
    parts, position, end = [], offset, offset + len(text)
    for passage in passages:
        if passage.end <= position or passage.start >= end:
            continue
        if passage.start > position:
            parts.append({"text": text[position - offset : passage.start - offset], "passage": None, "first": False})
            position = passage.start
        stop = min(passage.end, end)
        parts.append({"text": text[position - offset : stop - offset], "passage": passage,
                      "first": passage.start >= offset})
        position = stop
    if position < end:
        parts.append({"text": text[position - offset :], "passage": None, "first": False})
    return parts


def segments_html(parts, linebreaks=False):
    """The segments as HTML: each part inside a passage in <mark>, the first with its anchor
    (written here: a template include per paragraph cost ~0.3 ms, 30 ms on a long report)."""
    html = []
    for part in parts:
        text = escape(part["text"])
        if linebreaks:
            text = text.replace("\n", "<br>")
        passage = part["passage"]
        if passage is None:
            html.append(text)
        else:
            anchor = f' id="{escape(passage.anchor)}"' if part["first"] else ""
            html.append(f'<mark class="shared-passage"{anchor}>{text}</mark>')
    return mark_safe("".join(html))


def mark_paragraphs(speech, paragraphs, passages):
    """Give each paragraph of pages._reading_paragraphs its marked `segments` and the
    passages that end in it (`passages_ending`, whose sources are listed after it)."""
    if not passages:
        return
    spans = {index: (start, end) for index, _text, start, end in speech.paragraph_spans()}
    for paragraph in paragraphs:
        line_start, line_end = spans[paragraph["index"]]
        line = speech.body[line_start:line_end]
        start = line_start + len(line) - len(line.lstrip()) + len(paragraph["heading"])
        end = start + len(paragraph["text"])
        paragraph["segments"] = segments(paragraph["text"], start, passages)
        paragraph["marked_html"] = segments_html(paragraph["segments"])
        paragraph["passages_ending"] = [p for p in passages if start < p.end <= end]
    # A passage ending in a heading or between lines is listed after the paragraph it last touched.
    listed = {id(p) for paragraph in paragraphs for p in paragraph.get("passages_ending", [])}
    for passage in passages:
        if id(passage) not in listed:
            touched = [pg for pg in paragraphs if any(s["passage"] is passage for s in pg["segments"])]
            if touched:
                touched[-1]["passages_ending"].append(passage)


@dataclass
class Comparison:
    rows: list  # {"shared": bool, "a": [segments], "b": [segments], "similarity"}
    shared_chars: int  # of a's text in passages it shares with b
    a_chars: int
    b_chars: int
    unaligned: int  # shared passages in a different order, marked but not side by side


def _in_order(matches):
    """The heaviest chain of matches in the same order in both texts (the rest cross it)."""
    best, previous = [], []
    for i, match in enumerate(matches):
        best.append(match.length)
        previous.append(None)
        for j in range(i):
            if matches[j].b_end <= match.b_start and matches[j].a_end <= match.a_start and best[j] + match.length > best[i]:
                best[i], previous[i] = best[j] + match.length, j
    chain, i = [], max(range(len(matches)), key=best.__getitem__) if matches else None
    while i is not None:
        chain.append(matches[i])
        i = previous[i]
    return chain[::-1]


def compare(a, b):
    """Two speeches' texts cut into rows: shared passages side by side, the text between
    them (each side's own) in rows of its own."""
    key_a, offsets_a = key_text(a.body)
    key_b, offsets_b = key_text(b.body)
    matches = align(key_a, key_b)
    chain = _in_order(matches)
    marks_a = [Passage(*body_span(a.body, offsets_a, m.a_start, m.a_end), "", f"a{n}") for n, m in enumerate(matches)]
    marks_b = [Passage(*body_span(b.body, offsets_b, m.b_start, m.b_end), "", f"b{n}") for n, m in enumerate(matches)]
    rows, at_a, at_b = [], 0, 0

    def gap(until_a, until_b):
        # Without the line breaks around it: the row itself separates it.
        start_a = at_a + len(a.body[at_a:until_a]) - len(a.body[at_a:until_a].lstrip())
        start_b = at_b + len(b.body[at_b:until_b]) - len(b.body[at_b:until_b].lstrip())
        text_a, text_b = a.body[start_a:until_a].rstrip(), b.body[start_b:until_b].rstrip()
        if text_a or text_b:
            rows.append({
                "shared": False,
                "a_html": segments_html(segments(text_a, start_a, marks_a), linebreaks=True),
                "b_html": segments_html(segments(text_b, start_b, marks_b), linebreaks=True),
            })

    for match in chain:
        start_a, end_a = body_span(a.body, offsets_a, match.a_start, match.a_end)
        start_b, end_b = body_span(b.body, offsets_b, match.b_start, match.b_end)
        gap(start_a, start_b)
        rows.append({
            "shared": True,
            "a": [{"text": a.body[start_a:end_a], "passage": None, "first": False}],
            "b": [{"text": b.body[start_b:end_b], "passage": None, "first": False}],
            "similarity": match.similarity,
        })
        at_a, at_b = end_a, end_b
    gap(len(a.body), len(b.body))
    return Comparison(
        rows=rows,
        shared_chars=sum(m.a_end - m.a_start for m in matches),
        a_chars=len(key_a),
        b_chars=len(key_b),
        unaligned=len(matches) - len(chain),
    )


# A speech is listed as a template copy when other speeches hold this share of its text.
TEMPLATE_SHARE = 0.6


def most_reused(limit=50):
    """The passages most speeches share, each with the speeches holding it, earliest first."""
    from speeches.models import SharedPassage

    passages = list(SharedPassage.objects.order_by("-speech_count", "id")[:limit])
    holders = {}
    for passage_id, speech_id in PassageChunk.objects.filter(passage__in=passages).values_list("passage_id", "speech_id"):
        holders.setdefault(passage_id, set()).add(speech_id)
    order = earliest_first({pk for found in holders.values() for pk in found})
    speeches = Speech.objects.only("id", "uid", "title", "date", "year", "year_masked").in_bulk(order)
    for passage in passages:
        passage.speeches = [speeches[pk] for pk in order if pk in holders.get(passage.pk, ())]
    return passages


def template_speeches(share=TEMPLATE_SHARE, limit=100):
    """[(speech, share of its text other speeches hold)], the most copied first: speeches
    that are mostly text found elsewhere (templates filled in, or compilations of others)."""
    from django.db.models.functions import Length

    spans = {}
    for speech_id, start, end in PassageChunk.objects.exclude(passage=None).values_list(
        "speech_id", "shared_start", "shared_end"
    ):
        spans.setdefault(speech_id, []).append((start, end))
    lengths = dict(
        Speech.objects.filter(pk__in=list(spans)).annotate(chars=Length("body")).values_list("id", "chars")
    )
    shares = {pk: covered(found) / lengths[pk] for pk, found in spans.items() if lengths.get(pk)}
    chosen = sorted((pk for pk, value in shares.items() if value >= share), key=lambda pk: (-shares[pk], pk))[:limit]
    speeches = Speech.objects.only("id", "uid", "title", "date", "year", "year_masked").in_bulk(chosen)
    return [(speeches[pk], shares[pk]) for pk in chosen]
