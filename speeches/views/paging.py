"""Pages of a list of speeches: ?page= read forgivingly, the slice taken on ids."""

from django.core.paginator import Paginator

from speeches.models import Speech

SPEECHES_PER_PAGE = 20


def rows_by_id(queryset, start, stop, rows=None):
    """queryset[start:stop] as a list of the speeches of `rows` (default: as listings show
    them, for_listing; a page that shows more passes its own), read in two steps: the slice
    of ids, which an index of the ordering covers, then those rows by primary key alone. Sorting whole rows made SQLite read every speech (its long text
    included) to show twenty; asking for the rows with the list's filters again let its
    planner, which without statistics takes any indexed equality for a rare one, walk the
    status index past every speech of the archive to find the twenty."""
    ids = list(queryset.values_list("pk", flat=True)[start:stop])
    found = (rows if rows is not None else Speech.objects.for_listing()).in_bulk(ids) if ids else {}
    return [found[pk] for pk in ids if pk in found]


class IdSlicePaginator(Paginator):
    def __init__(self, object_list, per_page, rows=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows

    def page(self, number):
        # Paginator.page, with rows_by_id() for the slice.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(rows_by_id(self.object_list, bottom, top, self.rows), number, self)


def page_of(request, queryset, per_page=SPEECHES_PER_PAGE, count=None, rows=None):
    """The requested page of queryset. `count`: how many rows it holds, where the caller
    knows it (the kept browse counts), so the page does not count the list again. `rows`:
    see rows_by_id."""
    paginator = IdSlicePaginator(queryset, per_page, rows=rows, orphans=3)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value
    # get_page() turns a bad or out-of-range ?page= into the first or last page: never an error.
    return paginator.get_page(request.GET.get("page"))
