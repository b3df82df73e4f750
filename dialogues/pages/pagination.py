"""Paging through long lists: a bad page number serves the nearest page with a note."""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..numbers import number_format

PAGE_SIZE = 20


def paginate(rows_or_pager, raw_page, per_page=PAGE_SIZE) -> tuple[Page, str]:
    """Return (page, note). A bad page number serves the nearest valid page with a note.

    `rows_or_pager` is a queryset or list to page `per_page` at a time, or anything that pages
    itself (a `Paginator`, or the listing's `Browse`, whose `page(number)` the API calls too):
    its `page()` is called once, for the page served.
    """
    paginator = rows_or_pager
    if not (hasattr(paginator, "page") and hasattr(paginator, "num_pages")):
        paginator = Paginator(rows_or_pager, per_page)
    raw = (raw_page or "1").strip()
    note = ""
    try:
        number = int(raw)
    except ValueError:
        number = 1
        note = _("“%(raw)s” is not a page number; showing page 1.") % {"raw": raw[:20]}
    else:
        if number < 1:
            note = _("Pages start at 1; showing page 1 instead of %(number)s.") % {"number": number}
            number = 1
        elif number > paginator.num_pages:
            note = ngettext(
                "There is only %(pages)s page; showing the last instead of page %(number)s.",
                "There are only %(pages)s pages; showing the last instead of page %(number)s.",
                paginator.num_pages,
            ) % {"pages": number_format(paginator.num_pages), "number": number_format(number)}
            number = paginator.num_pages
    return paginator.page(number), note


def page_numbers(page, around=2):
    """Page numbers to link, with None where a run is left out: 1 … 4 5 [6] 7 8 … 20."""
    last = page.paginator.num_pages
    wanted = {1, last} | set(range(page.number - around, page.number + around + 1))
    numbers, previous = [], 0
    for n in sorted(x for x in wanted if 1 <= x <= last):
        if n - previous > 1:
            numbers.append(None)
        numbers.append(n)
        previous = n
    return numbers


class PaginatedDetailMixin:
    """A record's page that lists other records page by page, under a breadcrumb trail.

    A subclass names the selector that returns what its page lists, how many go on a page,
    and the trail as (URL name, label) pairs; a URL name may end in `#fragment`.
    """

    selector: Callable
    per_page = PAGE_SIZE
    trail: tuple[tuple[str, str], ...] = ()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, note = paginate(
            self.selector(self.object), self.request.GET.get("page"), self.per_page
        )
        context.update(
            page=page,
            page_note=note,
            page_numbers=page_numbers(page),
            breadcrumb_trail=[(_url(name), str(label)) for name, label in self.trail],
        )
        return context


def _url(name: str) -> str:
    name, hash_sign, fragment = name.partition("#")
    return reverse(name) + hash_sign + fragment
