"""Pages of a list of speeches: ?page= read forgivingly, the slice taken on ids."""

from django.core.paginator import Paginator

SPEECHES_PER_PAGE = 20


def rows_by_id(queryset, start, stop):
    """queryset[start:stop] as a list, read in two steps: the slice of ids, which an index
    of the ordering covers, then those rows by primary key. Sorting whole rows made SQLite
    read every speech (its long text included) to show twenty, and asking for the rows
    with the order and filters again let its planner walk the ordering's index past every
    speech of the archive to find the twenty ids."""
    ids = list(queryset.values_list("pk", flat=True)[start:stop])
    rows = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)} if ids else {}
    return [rows[pk] for pk in ids if pk in rows]


class IdSlicePaginator(Paginator):
    def page(self, number):
        # Paginator.page, with rows_by_id() for the slice.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(rows_by_id(self.object_list, bottom, top), number, self)


def page_of(request, queryset, per_page=SPEECHES_PER_PAGE, count=None):
    """The requested page of queryset. `count`: how many rows it holds, where the caller
    knows it (the kept browse counts), so the page does not count the list again."""
    paginator = IdSlicePaginator(queryset, per_page, orphans=3)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value
    # get_page() turns a bad or out-of-range ?page= into the first or last page: never an error.
    return paginator.get_page(request.GET.get("page"))
