"""The archive's records: sources and the speeches cut from them, their sections,
the officials they cite, the regions and topics they concern."""

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, When
from django.db.models.functions import Coalesce, ExtractYear, Left
from django.urls import reverse
from django.utils import timezone

from speeches import identity
from speeches.recording import AssignmentHistory, SpeechHistory


class Source(models.Model):
    """One imported file or page. Its raw bytes are kept (SourceContent) so an import can
    be redone; `path` is where it was read from, for curators only: public pages and the
    API show `display_name`."""

    path = models.CharField("路径或网址", max_length=1000)
    title = models.CharField("标题", max_length=300, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    author = models.CharField("作者", max_length=200, blank=True)
    intro = models.TextField("页首导语", blank=True)
    encoding = models.CharField("编码", max_length=40, blank=True)
    raw_sha256 = models.CharField("原始字节哈希", max_length=64, unique=True)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-imported_at", "id"]
        verbose_name = "来源"
        verbose_name_plural = "来源"
        indexes = [
            # Re-import of a changed file finds its earlier source by path.
            models.Index(fields=["path"], name="source_path_idx"),
        ]

    def __str__(self):
        return self.title or self.display_name

    def get_absolute_url(self):
        return reverse("speeches:source_detail", args=[self.pk])

    @property
    def display_name(self):
        """The file's own name, never where it lay on the server: '/srv/in/a.zip!/b/c.txt'
        → 'c.txt', 'upload/d.txt' → 'd.txt'. A web address is shown whole."""
        if "://" in self.path.split("!/")[0]:
            return self.path
        return re.split(r"[\\/]", self.path)[-1] or self.path


class SourceContent(models.Model):
    """A source's raw bytes, in a table of their own: a bulk records file is megabytes
    shared by thousands of speeches, and no listing, feed or page that joins Source to a
    speech may read them. Only re-imports and curators' downloads need them."""

    source = models.OneToOneField(
        Source, on_delete=models.CASCADE, primary_key=True, related_name="content", verbose_name="来源"
    )
    raw_bytes = models.BinaryField("原始字节", editable=False)

    class Meta:
        ordering = ["source"]
        verbose_name = "来源原始字节"
        verbose_name_plural = "来源原始字节"

    def __str__(self):
        return f"{self.source}（{len(self.raw_bytes)} 字节）"


# GB/T 2260 codes nest by prefix: province 2 digits, prefecture 4, county 6 (longer for towns).
REGION_CODE_LENGTHS = (2, 4, 6, 9, 12)


class RegionQuerySet(models.QuerySet):
    def holding_speeches(self):
        """These regions where public speeches are placed directly, annotated `direct_count`
        (their number, from the kept counts: BrowseCount)."""
        held = BrowseCount.objects.filter(kind=BrowseCount.REGION, count__gt=0)
        count = held.filter(key=models.OuterRef("pk")).values("count")
        return self.filter(pk__in=held.values("key")).annotate(direct_count=models.Subquery(count))

    def speech_counts(self):
        """{region code: public speeches placed directly in that region}, for these
        regions. One query."""
        return dict(self.holding_speeches().values_list("code", "direct_count"))

    def tree_with_counts(self, roots_only=False):
        """The regions holding public speeches, with their ancestors, as a forest of
        RegionNode: each gets `speech_count` (its whole subtree's) and `tree_children`.
        Two queries of bare values: the regions holding speeches, then the ancestors they
        lack (a few hundred codes, where asking for all of them by code cost more than the
        rest of the page); at 100,000 speeches the tree holds ~3,500 regions, and making a
        model instance of each cost most of the page. `roots_only`: the top of the forest
        (provinces and the country, for the home page), without their children."""
        columns = ("pk", "code", "name", "level", "parent_id")
        if roots_only and (roots := self._province_roots(columns)) is not None:
            return roots
        nodes = [
            RegionNode(*values[:-1], direct_count=values[-1])
            for values in self.holding_speeches().values_list(*columns, "direct_count")
        ]
        held = {node.code for node in nodes}
        # Each count added to the code's prefixes: one pass, not regions × codes.
        subtree = {}
        for node in nodes:
            code = node.code
            for prefix in {code[:length] for length in REGION_CODE_LENGTHS if length < len(code)} | {code}:
                subtree[prefix] = subtree.get(prefix, 0) + node.direct_count
        if missing := set(subtree) - held:
            nodes += [RegionNode(*values) for values in self.filter(code__in=missing).values_list(*columns)]
        nodes.sort(key=lambda node: node.code)
        by_id = {node.pk: node for node in nodes}
        roots = []
        for node in nodes:
            node.speech_count = subtree[node.code]
        for node in nodes:
            parent = by_id.get(node.parent_id)
            if parent is None:
                roots.append(node)
            elif not roots_only:
                parent.tree_children.append(node)
        return roots

    def _province_roots(self, columns):
        """tree_with_counts(roots_only=True) from each province's total alone: the counts
        summed by the code's first two digits (the country's code is its own), then the
        provinces' rows. None when a region's province has no row (the whole tree then
        says which region stands at the top)."""
        totals = {}
        for code, count in self.holding_speeches().values_list("code", "direct_count"):
            root = Region.province_code(code)
            totals[root] = totals.get(root, 0) + count
        roots = [RegionNode(*values) for values in self.filter(code__in=totals).values_list(*columns)]
        if len(roots) < len(totals):
            return None
        for node in roots:
            node.speech_count = totals[node.code]
        return sorted(roots, key=lambda node: node.code)


@dataclass(slots=True)
class RegionNode:
    """A region of the browse tree as pages and the API show it: its code, name and level,
    the public speeches of its whole subtree, and its sub-regions holding any."""

    pk: int
    code: str
    name: str
    level: str
    parent_id: int | None
    direct_count: int = 0  # speeches placed in this region itself
    speech_count: int = 0
    tree_children: list = field(default_factory=list)

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("speeches:region_detail", args=[self.code])


class Region(models.Model):
    """An administrative division of China (GB/T 2260 code)."""

    PROVINCE, PREFECTURE, COUNTY = "province", "prefecture", "county"
    # The whole country: the region of national speeches (government work reports).
    NATIONAL, NATIONAL_CODE = "national", "000000"
    LEVELS = [(NATIONAL, "全国"), (PROVINCE, "省级"), (PREFECTURE, "地级"), (COUNTY, "县级")]

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("级别", max_length=12, choices=LEVELS)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级区划"
    )
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        indexes = [
            # Place-name lookup during extraction and the admin's autocomplete.
            models.Index(fields=["name"], name="region_name_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("speeches:region_detail", args=[self.code])

    @classmethod
    def province_code(cls, code):
        """The code of the province a region's code lies in (its first two digits); the
        country's code is its own."""
        return code if code == cls.NATIONAL_CODE else code[:2]

    def ancestors(self):
        """This region and its parents, from the top (province) down."""
        chain = []
        region = self
        while region is not None:
            chain.append(region)
            region = region.parent
        return list(reversed(chain))


class TopicQuerySet(models.QuerySet):
    def with_speech_counts(self):
        """Topics holding public speeches, annotated `speech_count` (the kept counts),
        the largest first."""
        counts = BrowseCount.objects.filter(kind=BrowseCount.TOPIC, key=models.OuterRef("pk")).values("count")
        return (
            self.annotate(speech_count=models.Subquery(counts))
            .filter(speech_count__gt=0)
            .order_by("-speech_count", "name")
        )


class Topic(models.Model):
    name = models.CharField("名称", max_length=100, unique=True)
    slug = models.SlugField("标识", max_length=100, unique=True)
    keywords = models.JSONField("关键词", default=list, blank=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "主题"
        verbose_name_plural = "主题"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("speeches:topic_detail", args=[self.slug])


class OfficialQuerySet(models.QuerySet):
    def public(self):
        """People the public archive shows: cited in, or the speaker of, a published
        speech. Someone named only in drafts or withdrawn speeches is not public (ids
        are sequential: their pages would otherwise be found by counting)."""
        # EXISTS per official (citation_official_idx), not IN over every citation: the
        # search facets ask about twenty people, not the archive's whole cast.
        cited = Citation.objects.filter(official=models.OuterRef("pk"), speech__status=Speech.PUBLISHED)
        spoke = Speech.objects.published().filter(speaker=models.OuterRef("pk"))
        return self.filter(models.Exists(cited) | models.Exists(spoke))

    def with_speech_counts(self):
        """People cited in or speaker of public speeches, annotated `speech_count` (the
        speeches citing them) and `delivered_count` (those they gave), from the kept counts."""
        counted = BrowseCount.objects.filter(kind__in=[BrowseCount.OFFICIAL, BrowseCount.SPEAKER], count__gt=0)

        def count_of(kind):
            found = BrowseCount.objects.filter(kind=kind, key=models.OuterRef("pk")).values("count")
            return Coalesce(models.Subquery(found), 0)

        return self.filter(pk__in=counted.values("key")).annotate(
            speech_count=count_of(BrowseCount.OFFICIAL), delivered_count=count_of(BrowseCount.SPEAKER)
        )


class Official(models.Model):
    """A person a speech cites. `name` is as complete as the texts give it:
    a surname-only mention such as 罗书记 stays as written, never completed."""

    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=200, blank=True)
    organisation = models.CharField("单位", max_length=200, blank=True)
    name_is_partial = models.BooleanField("姓名不完整", default=False)

    objects = OfficialQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "官员"
        verbose_name_plural = "官员"
        indexes = [
            # Matching a new mention against known people.
            models.Index(fields=["name"], name="official_name_idx"),
        ]

    def __str__(self):
        return f"{self.name}（{self.title}）" if self.title else self.name

    def get_absolute_url(self):
        return reverse("speeches:official_detail", args=[self.pk])


class DateYear(ExtractYear):
    """The year of a date. On SQLite a native strftime instead of Django's Python
    function, which SQLite calls once per row: yearly counts and newest-first
    listings over 10,000 speeches spent most of their time in it."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(strftime('%%Y', {sql}) AS INTEGER)", params


def stated_year(date, year, year_masked):
    """The year a speech's date or year field states, or None: a masked year (20xx) is
    never guessed. (Speech.known_year; the browse counts read it from bare values.)"""
    if date:
        return date.year
    if year and not year_masked:
        return year
    return None


def date_key(date, year, year_masked):
    """The order of "newest first" as one number: YYYYMMDD for a dated speech, YYYY0000
    for one of a stated year only (after the dated ones of its year), 0 when neither is
    known (last). Stored on each speech (Speech.date_key) and in the search index."""
    if date:
        return date.year * 10000 + date.month * 100 + date.day
    known = stated_year(date, year, year_masked)
    return known * 10000 if known else 0


# Fields date_key is computed from: a save of any of them saves the key too.
DATE_KEY_SOURCES = frozenset({"date", "year", "year_masked"})


# Columns no list shows: the texts, the importer's log, extraction notes and keywords of each speech, and
# its source's introduction (the raw bytes live in SourceContent, never joined).
LISTING_DEFERRED = ("body", "import_log", "extraction_notes", "keywords", "source__intro")


# Not a copy merged into another speech (Speech.is_merged_copy), as a condition: also for
# code that filters historical models in migrations, which have no custom QuerySet.
NOT_MERGED = models.Q(merged_into=None) | models.Q(merged_into=models.F("pk"))


class SpeechQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Speech.PUBLISHED)

    def create_from_text(self, title, body, record_history=True, uids_in_use=None, **fields):
        """A new speech of this title and body: the one place its hash and its public id
        (taken from the hash) are made. record_history=False leaves its creation out of
        the edit history (the importer's: its extraction's save is the state kept).
        uids_in_use: see Speech.new_uid."""
        digest = identity.speech_hash(title, body)
        speech = self.model(
            uid=Speech.new_uid(digest, uids_in_use), title=title, body=body, content_hash=digest, **fields
        )
        if not record_history:
            speech.skip_history_when_saving = True
        speech.save(force_insert=True, using=self.db)
        if not record_history:
            del speech.skip_history_when_saving
        return speech

    def not_merged(self):
        """Speeches that are not a copy merged into another (see Speech.is_merged_copy)."""
        return self.filter(NOT_MERGED)

    def public_in_bulk(self, ids):
        """{id: speech} of the published speeches among ids that are not merged copies: the
        rows read by primary key, the rule applied to them here. Asked of the database
        with the status too, SQLite without statistics walked the status index past every
        speech of the archive (65 ms at 100,000) to find a page of hits."""
        return {
            pk: speech for pk, speech in self.in_bulk(ids).items() if speech.is_public and not speech.is_merged_copy
        }

    def bulk_create(self, objs, *args, **kwargs):
        """bulk_create, with each speech's date_key set (no save() runs)."""
        objs = list(objs)
        for speech in objs:
            if isinstance(speech, Speech):
                speech.date_key = speech.compute_date_key()
        return super().bulk_create(objs, *args, **kwargs)

    def for_listing(self):
        """Speeches as lists show them (title, facts, region, source, speaker, topics): the long
        columns are left out, so a listing costs the same whatever the texts and their
        files weigh. A list that shows the start of the text annotates it (with_summary)."""
        return (
            self.select_related("region", "source", "speaker")
            .prefetch_related("topics")
            .defer(*LISTING_DEFERRED)
        )

    def with_summary(self, chars):
        """Annotate `summary`: the first `chars` characters of the body, cut in SQL."""
        return self.annotate(summary=Left("body", chars))

    def with_known_year(self):
        """Annotate `stated_year`, Speech.known_year in SQL: the date's year, else the
        year field unless it was masked (20xx)."""
        return self.annotate(
            stated_year=Coalesce(
                DateYear("date"),
                Case(When(year_masked=False, then=F("year")), default=None),
                output_field=models.IntegerField(),
            )
        )

    def newest_first(self):
        """Newest first by the stored date_key (undated speeches last, on every database),
        then in source order: an index holds this order, so a page of a listing reads
        twenty rows, not every speech of the list."""
        return self.order_by("-date_key", "source_id", "position", "id")

    def in_region(self, region):
        """Speeches of a region and all its sub-regions: GB/T 2260 codes nest by prefix.
        The regions' ids are read first (one query): given the ids, the database reads the
        speeches by region (an index); given a subquery, SQLite walked the whole archive in
        date order for a county's few speeches."""
        return self.filter(region__in=list(Region.objects.filter(code__startswith=region.code).values_list("pk", flat=True)))

    def with_topic(self, topic):
        return self.filter(topics=topic)

    def in_year(self, year):
        """Speeches of a known year, or with year=None those whose year is unknown or masked."""
        # date_key is YYYYMMDD, YYYY0000 or 0: a year is a range of it (an index).
        if year is None:
            return self.filter(date_key=0)
        return self.filter(date_key__gte=year * 10000, date_key__lte=year * 10000 + 9999)

    def year_counts(self):
        """[(year or None, count)], newest first, the unknown/masked group last."""
        rows = (
            self.with_known_year()
            .order_by()
            .values("stated_year")
            .annotate(speech_count=models.Count("id"))
        )
        # int(): EXTRACT on PostgreSQL may give numeric, which would arrive as Decimal.
        counts = [
            (None if row["stated_year"] is None else int(row["stated_year"]), row["speech_count"])
            for row in rows
        ]
        return sorted(counts, key=lambda pair: (pair[0] is None, -(pair[0] or 0)))


def fit(model, **values):
    """The values with each text cut to its field's max_length: the one place a value too
    long for its column is shortened (PostgreSQL refuses it where SQLite would keep it)."""
    for name, value in values.items():
        if isinstance(value, str):
            limit = model._meta.get_field(name).max_length
            if limit and len(value) > limit:
                values[name] = value[:limit]
    return values


# Values in one IN (...) of a query: under every database's limit on a statement's parameters.
IN_BATCH = 500


def batched(values, size=IN_BATCH):
    """Slices of the sequence values, `size` at a time (by default one IN (...) each)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def fit_value(model, name, value):
    """One value cut to the max_length of model's field `name` (see fit)."""
    return fit(model, **{name: value})[name]


class Speech(models.Model):
    SPEECH, WORK_REPORT, NEWS_SUMMARY, RESOLUTION = identity.SPEECH, identity.WORK_REPORT, identity.NEWS_SUMMARY, identity.RESOLUTION
    KINDS = identity.KINDS
    DRAFT, PUBLISHED, WITHDRAWN = "draft", "published", "withdrawn"
    STATUSES = [(DRAFT, "草稿"), (PUBLISHED, "已发布"), (WITHDRAWN, "已撤回")]

    # The public id: derived once from the first imported text and never changed,
    # so re-imports and edits keep every URL.
    uid = models.CharField("编号", max_length=20, unique=True, editable=False)
    title = models.CharField("标题", max_length=identity.TITLE_LENGTH)
    body = models.TextField("正文")
    date = models.DateField("日期", null=True, blank=True)
    year = models.PositiveSmallIntegerField("年份", null=True, blank=True)
    year_masked = models.BooleanField("年份被遮蔽（如20xx）", default=False)
    # date_key(date, year, year_masked), kept by save() and bulk_create(): the newest-first
    # order of every listing, read from an index.
    date_key = models.PositiveIntegerField("日期排序键", default=0, editable=False)
    kind = models.CharField("类型", max_length=20, choices=KINDS, default=SPEECH)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="speeches", verbose_name="来源"
    )
    position = models.PositiveIntegerField("在来源中的位置", default=0)
    url = models.URLField("原文网址", max_length=1000, blank=True)
    content_hash = models.CharField("内容哈希", max_length=64)
    status = models.CharField("状态", max_length=12, choices=STATUSES, default=PUBLISHED)
    copies = models.PositiveSmallIntegerField("来源中的副本数", default=1)
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="speeches", verbose_name="地区"
    )
    region_confidence = models.FloatField("地区置信度", null=True, blank=True)
    # What the imported text itself states (its header, byline or delegation line, or a
    # mapped column), read by the importer; extraction takes date, year and speaker from
    # these before guessing, and never overrides a stated date or year.
    source_date = models.DateField("原文所载日期", null=True, blank=True)
    source_year = models.PositiveSmallIntegerField("原文所载年份", null=True, blank=True)
    speaker_name = models.CharField("原文所载讲话人", max_length=50, blank=True)
    speaker_title = models.CharField("原文所载讲话人职务", max_length=200, blank=True)
    meeting = models.CharField("会议", max_length=300, blank=True)
    delegated_by = models.CharField("受…委托", max_length=100, blank=True)
    # Where the notes after the text (名词解释, 注释) begin: an offset in body, or None.
    notes_start = models.PositiveIntegerField("注释起始字符", null=True, blank=True)
    # Who delivered the speech, where the text or the source says so (national reports).
    speaker = models.ForeignKey(
        "Official", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="speeches_delivered", verbose_name="讲话人",
    )
    topics = models.ManyToManyField(
        Topic, through="SpeechTopic", related_name="speeches", blank=True, verbose_name="主题"
    )
    officials = models.ManyToManyField(
        Official, through="Citation", related_name="speeches", blank=True, verbose_name="提及的官员"
    )
    keywords = models.JSONField("关键词", default=list, blank=True)
    # What the importer did to this text (repairs, warnings), for curators to read (the
    # admin shows it as sentences, speeches.curation.marked_text); only the importer writes it.
    import_log = models.JSONField("导入记录", default=list, blank=True, editable=False)
    # What the last extraction found for region, date, speaker and topics, with its
    # confidence and reason ({"region": {"value", "confidence", "reason"}, "topics": {slug: …}}),
    # for the curator's page; rewritten by every extraction.
    extraction_notes = models.JSONField("抽取依据", default=dict, blank=True, editable=False)
    # Fields a curator has set by hand; re-import and re-extraction leave them alone.
    locked_fields = models.JSONField("人工锁定字段", default=list, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_copies",
        verbose_name="已并入",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = SpeechQuerySet.as_manager()
    # Who changed what and when, for the admin's history page and revert. The importer's
    # log and the text hash are the importer's bookkeeping: a revert keeps their current values.
    history = SpeechHistory(
        excluded_fields=["import_log", "extraction_notes", "content_hash", "date_key", "created_at", "updated_at"],
        verbose_name="讲话修改记录",
        verbose_name_plural="讲话修改记录",
    )

    class Meta:
        ordering = ["-date_key", "source_id", "position", "id"]  # newest first, as listings
        verbose_name = "讲话"
        verbose_name_plural = "讲话"
        indexes = [
            # Re-import: find the speech of a source by its text.
            models.Index(fields=["source", "content_hash"], name="speech_source_hash_idx"),
            # Import: the same text already in the archive from another file.
            models.Index(fields=["content_hash"], name="speech_content_hash_idx"),
            # Public listings, newest first (newest_first()): the first page reads its rows
            # off the index, whatever the archive's size; covering, for rows_by_id's ids.
            models.Index(
                fields=["status", "-date_key", "source", "position", "id"], name="speech_status_newest_idx"
            ),
            # A region's listing (in_region): each region's speeches, in that order.
            models.Index(
                fields=["region", "status", "-date_key", "source", "position", "id"], name="speech_region_newest_idx"
            ),
            # The feeds, newest arrivals first (feeds.LatestSpeechesFeed): covering, for their ids.
            models.Index(fields=["status", "-created_at", "-id"], name="speech_status_arrived_idx"),
            # The next three cover their queries, so SQLite never reads the speeches' rows
            # (long texts: reading a column stored after the body means reading the body):
            # region counts of published speeches (regions page, home page, region tree);
            models.Index(fields=["status", "region"], name="speech_status_region_idx"),
            # the number of sources with published speeches (home page);
            models.Index(fields=["status", "source"], name="speech_status_source_idx"),
            # the dates of the speeches sharing a passage (reuse/display.py _public_speeches).
            models.Index(
                fields=["status", "date", "year", "year_masked", "source", "position"],
                name="speech_status_dates_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.date_key = self.compute_date_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and DATE_KEY_SOURCES.intersection(update_fields):
            kwargs["update_fields"] = {*update_fields, "date_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("speeches:speech_detail", args=[self.uid])

    def compute_date_key(self):
        # Values as the fields read them: a date or year may still be the string it was
        # assigned as ("2025"), which save() would only convert afterwards.
        field = self._meta.get_field
        return date_key(field("date").to_python(self.date), field("year").to_python(self.year), self.year_masked)

    @property
    def is_public(self):
        return self.status == self.PUBLISHED

    def write_sections(self, outline):
        """Replace the speech's sections with `outline` (items with order, number, heading,
        level, start and end, as speeches.ingest.sections finds them)."""
        self.sections.all().delete()
        Section.objects.bulk_create(self.section_rows(outline))

    def section_rows(self, outline):
        """The unsaved Section rows of `outline` for this speech (write_sections)."""
        return [
            Section(**fit(Section, speech=self, order=s.order, number=s.number, heading=s.heading, level=s.level,
                          start=s.start, end=s.end))
            for s in outline
        ]

    @property
    def is_merged_copy(self):
        """A duplicate merged into another speech: its address redirects to the kept one,
        it is neither searched nor published again. (A speech pointing at itself is not.)"""
        return self.merged_into_id is not None and self.merged_into_id != self.pk

    @property
    def known_year(self):
        """The year the text states, or None: a masked year (20xx) is never guessed."""
        return stated_year(self.date, self.year, self.year_masked)

    @property
    def display_year(self):
        """The year as the archive may state it: never a guess for masked years."""
        return str(self.known_year) if self.known_year else "年份不详"

    @property
    def speaker_title_as_delivered(self):
        """The speaker's title as this speech gives it (its header or byline), else the
        one on the person's record."""
        return self.speaker_title or (self.speaker.title if self.speaker_id else "")

    def speaker_as_delivered(self):
        """{"name", "title", "url"} of who delivered the speech, or None where no one is
        named (the API's and the search results' "speaker")."""
        if self.speaker_id is None:
            return None
        person = self.speaker
        return {"name": person.name, "title": self.speaker_title_as_delivered, "url": person.get_absolute_url()}

    # A public id is the text hash's first characters: 10, more (two at a time) on a clash.
    UID_LENGTHS = range(10, 65, 2)

    @classmethod
    def new_uid(cls, text_hash, uids_in_use=None):
        """A short public id taken from the text's hash; lengthened on a clash.
        uids_in_use: an UidsInUse of a file's hashes, asked before the database."""
        for length in cls.UID_LENGTHS:
            uid = text_hash[:length]
            free = uids_in_use.take(uid) if uids_in_use is not None else None
            if free is None:
                free = not cls.objects.filter(uid=uid).exists()
            if free:
                return uid
        raise ValueError("no free uid for this hash")

    def paragraphs(self):
        """The body as (index, text) paragraphs; indexes are stable anchors (p-N)."""
        parts = [p.strip() for p in self.body.split("\n")]
        return [(i, p) for i, p in enumerate((p for p in parts if p), start=1)]

    def paragraph_spans(self):
        """(index, text, start, end) for each paragraph of paragraphs(): where its line
        lies in body, so character offsets (sections, citations) map to paragraphs."""
        spans, offset = [], 0
        for line in self.body.split("\n"):
            end = offset + len(line)
            if line.strip():
                spans.append((len(spans) + 1, line.strip(), offset, end))
            offset = end + 1
        return spans

    def in_notes(self, offset):
        """Whether a body offset lies in the notes after the text (名词解释, 注释)."""
        return self.notes_start is not None and offset >= self.notes_start

    def paragraphs_with_sections(self, sections):
        """[(index, text, [sections starting there])]: a section belongs to the paragraph
        holding its start offset, or to the next paragraph when it starts between lines."""
        spans = self.paragraph_spans()
        if not spans:
            return []
        ends = [end for _, _, _, end in spans]
        starting = [[] for _ in spans]
        for section in sections:
            starting[min(bisect_right(ends, section.start), len(spans) - 1)].append(section)
        return [(index, text, starting[i]) for i, (index, text, _, _) in enumerate(spans)]


class UidsInUse:
    """Which of some texts' shortest public ids are taken, read for a whole file in a few
    queries instead of one for each of its speeches (0.75 ms a speech at 100,000)."""

    def __init__(self, text_hashes):
        shortest = Speech.UID_LENGTHS[0]
        asked = sorted({text_hash[:shortest] for text_hash in text_hashes})
        self._asked, self._taken = set(asked), set()
        for batch in batched(asked):
            self._taken.update(Speech.objects.filter(uid__in=batch).values_list("uid", flat=True))

    def take(self, uid):
        """True (and now taken) when uid was looked up and is free; False when taken;
        None when it was not looked up (a longer one, after a clash)."""
        if uid not in self._asked:
            return None
        if uid in self._taken:
            return False
        self._taken.add(uid)
        return True


class SpeechTopic(models.Model):
    speech = models.ForeignKey(Speech, on_delete=models.CASCADE, verbose_name="讲话")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, verbose_name="主题")
    score = models.FloatField("得分", default=0.0)

    # Topic assignments curators add, change or remove (extraction's rewrites are not kept).
    history = AssignmentHistory(verbose_name="讲话主题修改记录", verbose_name_plural="讲话主题修改记录")

    class Meta:
        ordering = ["-score", "topic__name"]
        constraints = [
            models.UniqueConstraint(fields=["speech", "topic"], name="speech_topic_unique"),
        ]
        verbose_name = "讲话主题"
        verbose_name_plural = "讲话主题"

    def __str__(self):
        return f"{self.speech} — {self.topic}"


class Section(models.Model):
    """A numbered part of a speech (一、 / (一) / 1、), with its place in the body."""

    speech = models.ForeignKey(Speech, on_delete=models.CASCADE, related_name="sections", verbose_name="讲话")
    order = models.PositiveIntegerField("顺序")
    number = models.CharField("编号（原文）", max_length=20)
    heading = models.CharField("标题", max_length=300)
    level = models.PositiveSmallIntegerField("层级")
    start = models.PositiveIntegerField("起始字符")
    end = models.PositiveIntegerField("结束字符")

    class Meta:
        ordering = ["speech", "order"]
        constraints = [
            models.UniqueConstraint(fields=["speech", "order"], name="section_order_unique"),
        ]
        verbose_name = "章节"
        verbose_name_plural = "章节"

    def __str__(self):
        return f"{self.number}{self.heading}"

    def get_absolute_url(self):
        return f"{self.speech.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return f"s{self.order}"


class Citation(models.Model):
    """One mention of an official in a speech, as written."""

    speech = models.ForeignKey(Speech, on_delete=models.CASCADE, related_name="citations", verbose_name="讲话")
    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="citations", verbose_name="官员")
    mention = models.CharField("原文提及", max_length=100)
    title_as_written = models.CharField("原文职务", max_length=200, blank=True)
    offset = models.PositiveIntegerField("位置")
    sentence = models.TextField("所在句", blank=True)
    confidence = models.FloatField("置信度", default=1.0)

    history = AssignmentHistory(verbose_name="官员提及修改记录", verbose_name_plural="官员提及修改记录")

    class Meta:
        ordering = ["speech", "offset"]
        verbose_name = "官员提及"
        verbose_name_plural = "官员提及"
        indexes = [
            # An official's page: the speeches citing them.
            models.Index(fields=["official", "speech"], name="citation_official_idx"),
        ]

    def __str__(self):
        return f"{self.mention} @ {self.speech}"


class SimilarityKey(models.Model):
    """One band of a speech's text fingerprint (speeches.ingest.dedupe.band_keys): speeches
    sharing a key are candidates for near-duplicates, compared in full on import."""

    speech = models.ForeignKey(Speech, on_delete=models.CASCADE, related_name="similarity_keys", verbose_name="讲话")
    key = models.BigIntegerField("指纹分段")

    class Meta:
        ordering = ["speech", "key"]
        verbose_name = "文本指纹"
        verbose_name_plural = "文本指纹"
        indexes = [
            # Import: the speeches sharing a band with a new one.
            models.Index(fields=["key"], name="similaritykey_key_idx"),
        ]

    def __str__(self):
        return f"{self.key} @ {self.speech_id}"


class BrowseCountQuerySet(models.QuerySet):
    def of_kind(self, kind):
        """{key: count} of one kind, for the keys holding at least one speech."""
        return dict(self.filter(kind=kind, count__gt=0).values_list("key", "count"))

    def totals(self, *kinds):
        """{kind: count} of these archive-wide kinds (key 0), 0 for a kind never counted."""
        found = dict(self.filter(kind__in=kinds, key=0).values_list("kind", "count"))
        return {kind: found.get(kind, 0) for kind in kinds}

    def count_of(self, kind, key=0):
        return self.filter(kind=kind, key=key).values_list("count", flat=True).first() or 0

    def years(self):
        """[(year or None, count)] as SpeechQuerySet.year_counts() gives them: newest first,
        the unknown or masked group last."""
        counts = [(year or None, n) for year, n in self.of_kind(BrowseCount.YEAR).items()]
        return sorted(counts, key=lambda pair: (pair[0] is None, -(pair[0] or 0)))


class BrowseCount(models.Model):
    """How many public speeches (published, not a copy merged into another) hold one
    key: a region (its own speeches, not its sub-regions'), a topic, a year (0: unknown
    or masked), a source, an official cited or a speaker; and the archive's totals
    (key 0). Kept by speeches.counts as speeches change; the browse pages read these
    rows instead of counting the archive on every request."""

    ALL, UNPLACED, UNTAGGED = "all", "unplaced", "untagged"
    REGION, TOPIC, YEAR, SOURCE, OFFICIAL, SPEAKER = "region", "topic", "year", "source", "official", "speaker"
    # How many keys of a kind hold a speech (the home page's numbers of regions, topics, …).
    DISTINCT = {REGION: "regions", TOPIC: "topics", SOURCE: "sources", OFFICIAL: "officials"}
    KINDS = [
        (ALL, "全部讲话"), (UNPLACED, "地区不详"), (UNTAGGED, "未分类"), (REGION, "地区"), (TOPIC, "主题"),
        (YEAR, "年份"), (SOURCE, "来源"), (OFFICIAL, "提及官员"), (SPEAKER, "讲话人"),
        (DISTINCT[REGION], "有讲话的地区数"), (DISTINCT[TOPIC], "有讲话的主题数"),
        (DISTINCT[SOURCE], "有讲话的来源数"), (DISTINCT[OFFICIAL], "被提及的官员数"),
    ]

    kind = models.CharField("类别", max_length=20, choices=KINDS)
    # The id of the region, topic, source or official; the year; 0 for a total.
    key = models.BigIntegerField("键")
    count = models.IntegerField("讲话数", default=0)

    objects = BrowseCountQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "key"]
        verbose_name = "浏览计数"
        verbose_name_plural = "浏览计数"
        constraints = [
            # Also the index of every read (a kind's keys, one key) and of the counting upsert.
            models.UniqueConstraint(fields=["kind", "key"], name="browsecount_kind_key_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}：{self.count}"


class CountedSpeech(models.Model):
    """The keys one public speech adds to BrowseCount, as last counted: a change subtracts
    these and adds the speech's new keys, so each count moves by exactly what changed.
    No foreign key: a deleted speech's keys are read after it is gone, to subtract them."""

    speech_id = models.BigIntegerField("讲话", primary_key=True)
    # [[kind, key], …], sorted.
    keys = models.JSONField("计数键", default=list)

    class Meta:
        ordering = ["speech_id"]
        verbose_name = "已计数讲话"
        verbose_name_plural = "已计数讲话"

    def __str__(self):
        return f"讲话 {self.speech_id}：{len(self.keys)} 个计数键"


class PendingIndexUpdate(models.Model):
    """A speech whose search entry must be refreshed. Written in the same transaction
    as the change, so a crash between commit and indexing loses nothing; the single
    index writer drains it after commit. No foreign key: deletions are queued too."""

    speech_id = models.BigIntegerField("讲话 ID")
    enqueued_at = models.DateTimeField("排队时间", auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "待更新索引"
        verbose_name_plural = "待更新索引"

    def __str__(self):
        return f"讲话 {self.speech_id}"


class PendingExtraction(models.Model):
    """A speech stored and indexed whose regions, officials, topics, keywords, dates and
    speaker are still to be found (speeches.extract.queue). Written in the import's own
    transaction; deleted in the transaction that stores the extraction, so a worker killed
    half-way loses nothing: its rows stay, and once the claim's process is gone they are
    claimed again."""

    speech = models.OneToOneField(
        "Speech", on_delete=models.CASCADE, related_name="pending_extraction", verbose_name="讲话"
    )
    enqueued_at = models.DateTimeField("加入时间", auto_now_add=True)
    # The process extracting it now (host:pid), empty while it waits.
    claimed_by = models.CharField("处理进程", max_length=100, blank=True)
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    # Why its extraction failed (a bug, never bad input): left out of the drain until retried.
    error = models.CharField("失败原因", max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "待抽取讲话"
        verbose_name_plural = "待抽取讲话"
        indexes = [
            # The drain's claim: the oldest rows no process holds and none failed.
            models.Index(fields=["claimed_by", "error", "id"], name="pendingextraction_claim_idx"),
        ]

    def __str__(self):
        return f"讲话 {self.speech_id}"


class RegionMention(models.Model):
    """A place a speech names; the primary one is the speaker's jurisdiction (Speech.region)."""

    speech = models.ForeignKey(Speech, on_delete=models.CASCADE, related_name="region_mentions", verbose_name="讲话")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="mentions", verbose_name="地区")
    mention = models.CharField("原文提及", max_length=100)
    offset = models.PositiveIntegerField("位置")
    is_primary = models.BooleanField("主要地区", default=False)

    class Meta:
        ordering = ["speech", "offset"]
        verbose_name = "地区提及"
        verbose_name_plural = "地区提及"
        indexes = [
            # A region's page: the speeches that mention it.
            models.Index(fields=["region", "speech"], name="regionmention_region_idx"),
        ]

    def __str__(self):
        return f"{self.mention} @ {self.speech}"


class ReviewItem(models.Model):
    """An extraction doubtful enough for a curator to look at. A decision (accepted or
    rejected) is kept across re-imports and re-extraction: a rejected value is not
    extracted again for that speech, an accepted one is not asked about again."""

    REGION, OFFICIAL, SPEAKER, TOPIC, DATE = "region", "official", "speaker", "topic", "date"
    # What the importer did, flagged from Speech.import_log and equal texts (speeches.curation).
    REPAIR, DUPLICATE = "repair", "duplicate"
    FIELDS = [
        (REGION, "地区"),
        (OFFICIAL, "官员"),
        (SPEAKER, "讲话人"),
        (TOPIC, "主题"),
        (DATE, "日期"),
        (REPAIR, "修复的片段"),
        (DUPLICATE, "疑似重复"),
    ]
    PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
    STATUSES = [(PENDING, "待审核"), (ACCEPTED, "已确认"), (REJECTED, "已否决")]

    speech = models.ForeignKey(Speech, on_delete=models.CASCADE, related_name="review_items", verbose_name="讲话")
    field = models.CharField("字段", max_length=20, choices=FIELDS)
    value = models.CharField("抽取值", max_length=200)
    confidence = models.FloatField("置信度")
    reason = models.CharField("原因", max_length=300, blank=True)
    status = models.CharField("状态", max_length=12, choices=STATUSES, default=PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="审核人",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["status", "confidence", "id"]
        verbose_name = "待审核抽取"
        verbose_name_plural = "待审核抽取"
        constraints = [
            models.UniqueConstraint(fields=["speech", "field", "value"], name="reviewitem_unique"),
        ]
        indexes = [
            # The curators' queue: pending items, least confident first.
            models.Index(fields=["status", "confidence"], name="reviewitem_queue_idx"),
        ]

    def __str__(self):
        return f"{self.get_field_display()}：{self.value} @ {self.speech}"

    def decide(self, status, user=None):
        self.status = status
        self.decided_by = user if user is not None and user.is_authenticated else None
        self.decided_at = timezone.now()
        self.save(update_fields=["status", "decided_by", "decided_at"])


def normalise_query(query):
    """A search as it is logged: spaces collapsed, Latin letters lower-cased, at most 200 chars.
    Control characters count as spaces, as in the search itself (PostgreSQL cannot store NUL)."""
    text = "".join(" " if unicodedata.category(char) in ("Cc", "Cf") else char for char in str(query))
    return " ".join(text.split()).lower()[:200]


class SearchQueryLog(models.Model):
    """How often a search was made on one day and how many speeches it found, for the
    curators' health page. Only the words searched for: never who asked (no address, no user)."""

    query = models.CharField("查询", max_length=200)
    day = models.DateField("日期")
    count = models.PositiveIntegerField("次数", default=0)
    results_count = models.PositiveIntegerField("结果数", default=0)

    class Meta:
        ordering = ["-day", "-count", "query"]
        verbose_name = "搜索记录"
        verbose_name_plural = "搜索记录"
        constraints = [
            # Also the index of record()'s per-day update.
            models.UniqueConstraint(fields=["query", "day"], name="searchquerylog_query_day_unique"),
        ]
        indexes = [
            # The health page: the last days' queries, and those that found nothing.
            models.Index(fields=["day", "results_count"], name="searchquerylog_day_idx"),
        ]

    def __str__(self):
        return f"{self.query} ({self.day}: {self.count})"

    @classmethod
    def record(cls, query, results_count, day=None, searches=1):
        """Count `searches` searches of `query` on `day` (today); an UPDATE with F() so
        concurrent counts add up. Searches are spooled and counted in batches
        (speeches/search_log.py): a search never waits for the database's write lock."""
        query = normalise_query(query)
        if not query:
            return
        day = day or timezone.localdate()
        bump = {"count": F("count") + searches, "results_count": results_count}
        if cls.objects.filter(query=query, day=day).update(**bump):
            return
        try:
            with transaction.atomic():
                cls.objects.create(query=query, day=day, count=searches, results_count=results_count)
        except IntegrityError:  # another request created today's row meanwhile
            cls.objects.filter(query=query, day=day).update(**bump)


class DictionaryTerm(models.Model):
    """A word curators add to the search segmenter's vocabulary (a slogan, a place or
    person the texts name that the automatic vocabulary lacks)."""

    term = models.CharField("词语", max_length=50, unique=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="添加人",
    )
    added_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        ordering = ["term"]
        verbose_name = "自定义词语"
        verbose_name_plural = "自定义词语"

    def __str__(self):
        return self.term


class SharedPassage(models.Model):
    """Text that two or more speeches share, near-identical (speeches.reuse): its
    occurrences are the PassageChunk rows pointing here."""

    text = models.TextField("文字（最早一篇中的）")
    speech_count = models.PositiveIntegerField("讲话篇数", default=0)
    found_at = models.DateTimeField("发现时间", auto_now=True)

    class Meta:
        ordering = ["-speech_count", "id"]
        verbose_name = "共用段落"
        verbose_name_plural = "共用段落"
        indexes = [
            # The curators' page: the most reused passages first.
            models.Index(fields=["-speech_count", "id"], name="sharedpassage_count_idx"),
        ]

    def __str__(self):
        return f"{self.text[:30]}…（{self.speech_count} 篇）"


class PassageChunk(models.Model):
    """About a paragraph of a speech's text with its MinHash, from which shared passages
    are found; `passage` is set when other speeches hold it too, and shared_start/end
    then mark the part they share (offsets into the body, as start and end)."""

    speech = models.ForeignKey(Speech, on_delete=models.CASCADE, related_name="passage_chunks", verbose_name="讲话")
    start = models.PositiveIntegerField("起始字符")
    end = models.PositiveIntegerField("结束字符")
    minhash = models.BinaryField("MinHash 签名")
    passage = models.ForeignKey(
        SharedPassage, on_delete=models.SET_NULL, null=True, blank=True, related_name="chunks",
        verbose_name="共用段落",
    )
    shared_start = models.PositiveIntegerField("共用部分起始字符", null=True, blank=True)
    shared_end = models.PositiveIntegerField("共用部分结束字符", null=True, blank=True)
    # The MinHash of the shared part alone: two chunks of one passage (joined through a
    # third) hold the same text only when these agree (speeches.reuse.display).
    shared_minhash = models.BinaryField("共用部分的 MinHash", null=True, blank=True)

    class Meta:
        ordering = ["speech", "start"]
        verbose_name = "文字片段"
        verbose_name_plural = "文字片段"
        indexes = [
            # A speech's page and its reuse API: its chunks in order (and their recomputation).
            models.Index(fields=["speech", "start"], name="passagechunk_speech_idx"),
            # The other speeches holding a passage ("这段文字也见于…"), and a passage's recount.
            models.Index(fields=["passage", "speech"], name="passagechunk_passage_idx"),
        ]

    def __str__(self):
        return f"{self.speech} [{self.start}:{self.end}]"

    @property
    def anchor(self):
        return f"shared-{self.pk}"


class PendingPassageUpdate(models.Model):
    """A speech whose shared passages must be found again (its text or status changed),
    written in the same transaction as the change; `manage.py find_shared_passages
    --pending` applies the queue. No foreign key: deletions are queued too."""

    speech_id = models.BigIntegerField("讲话编号")
    enqueued_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "待比对讲话"
        verbose_name_plural = "待比对讲话"

    def __str__(self):
        return f"讲话 {self.speech_id}"


class Job(models.Model):
    """Long work done outside the web request by the job worker (manage.py run_jobs):
    imports of files uploaded in the admin, and re-extraction, re-indexing, publishing
    or withdrawing of many speeches. A job is a sequence of items (a file, a batch of
    speeches), each done in its own transaction together with its JobItem, so a job
    whose worker died resumes after the last item it finished (speeches.jobs)."""

    IMPORT, REEXTRACT, REINDEX, PUBLISH, WITHDRAW, REPAIR_INDEX = (
        "import", "reextract", "reindex", "publish", "withdraw", "repair_index",
    )
    KINDS = [
        (IMPORT, "导入文件"),
        (REEXTRACT, "重新抽取"),
        (REINDEX, "更新索引"),
        (PUBLISH, "发布讲话"),
        (WITHDRAW, "撤回讲话"),
        (REPAIR_INDEX, "修复索引差异"),
    ]
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUSES = [(QUEUED, "排队中"), (RUNNING, "进行中"), (DONE, "已完成"), (FAILED, "失败")]

    kind = models.CharField("类型", max_length=20, choices=KINDS)
    # What to do: the import's status and spooled files, the speeches' ids, …
    arguments = models.JSONField("参数", default=dict)
    status = models.CharField("状态", max_length=12, choices=STATUSES, default=QUEUED)
    total = models.PositiveIntegerField("总项数", default=0)
    done = models.PositiveIntegerField("已完成项数", default=0)
    error = models.TextField("错误", blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="发起人",
    )
    # host:pid of the worker running it: a job whose worker is gone is resumed.
    worker = models.CharField("执行进程", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        indexes = [
            # The worker's queue: the oldest queued job, and running jobs to recover.
            models.Index(fields=["status", "id"], name="job_status_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()}（{self.get_status_display()}）"

    def get_absolute_url(self):
        return reverse("admin:speeches_job_change", args=[self.pk])

    @property
    def finished(self):
        return self.status in (self.DONE, self.FAILED)

    @property
    def percent(self):
        return int(100 * self.done / self.total) if self.total else (100 if self.finished else 0)


class JobItem(models.Model):
    """One finished item of a job, written in the transaction that did its work: a
    resumed job skips the positions it finds here. `report` is what the job page shows
    of it (for an import, the file's import report)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="items", verbose_name="任务")
    position = models.PositiveIntegerField("序号")
    label = models.CharField("内容", max_length=1000)
    ok = models.BooleanField("成功", default=True)
    report = models.JSONField("报告", default=dict)
    finished_at = models.DateTimeField("完成时间", auto_now_add=True)

    class Meta:
        ordering = ["job", "position"]
        verbose_name = "后台任务项"
        verbose_name_plural = "后台任务项"
        constraints = [
            # Also the index of a job's report and of resuming it.
            models.UniqueConstraint(fields=["job", "position"], name="jobitem_job_position_unique"),
        ]

    def __str__(self):
        return f"{self.job} · {self.position}. {self.label}"
