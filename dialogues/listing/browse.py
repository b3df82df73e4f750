"""One listing of dialogues, built once per request from the `/dialogues/` query parameters.

The HTML list, the JSON API's list and both downloads read their dialogues from a `Browse`, so
they agree on what the parameters mean, and the search is parsed once for all of it.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from ..models import Dialogue
from ..search.query import ParsedQuery
from ..search.snippets import snippets
from . import selectors, words
from .facets import Facet, facet_counts
from .filters import SORTS, DialogueFilterSet

PAGE_SIZE = 20


class Browse:
    """The dialogues some query parameters ask for, and everything said about them.

    `Browse(params, page_size=PAGE_SIZE, rows=None)`: `params` is the request's GET (a
    QueryDict; `page` in it is ignored), `page_size` the dialogues per page, and `rows` the
    queryset a page's dialogues are fetched from (the HTML list's cards by default; the API
    passes `Dialogue.objects.with_relations()`).

    Building it runs no query. Every attribute is worked out on first use and kept, so an export
    that reads only `.errors` and `.queryset` pays for no count, facet or snippet:

    - `.filterset`: the validated `DialogueFilterSet`; a bad value is left out, never raised.
    - `.errors`: `{parameter: [message, …]}`, empty when every parameter is valid.
    - `.query`: the `ParsedQuery` of `q`, parsed once for the list, facets, snippets and words.
    - `.searching`: whether a search was given; `.sort`: the sort in force; `.sorts`: the
      `(key, label)` sorts to offer (relevance only when searching).
    - `.queryset`: every matching dialogue, filtered, searched and ordered, lazy. A download
      streams it: `browse.queryset.with_relations().iterator(chunk_size=…)`.
    - `.count`: how many match, from the facet index (`facet_index`).
    - `.paginator`: pages the ids in order (`selectors.dialogue_ids`: the facet index, or the
      ranked search), its total being `.count`; `.num_pages`.
    - `.page(number)`: a `Page` whose `object_list` is that page's dialogues, fetched from
      `rows` in order; raises `EmptyPage` / `PageNotAnInteger` as `Paginator.page` does.
    - `.snippets`: `{pk: SafeString}` of matching text for the page last taken with `.page()`;
      `{}` before any page and for a dialogue the search has no words to mark in.
    - `.facets`: `[(Facet, [(value, label, count), …]), …]`, from the facet index.
    - `.sentence`: what the list shows in words, e.g. `2 dialogues in After Camp David`.
    - `.chips`: one `Chip` per active filter, with a link to the list without it.
    - `.valid_params`: `params` without unknown or invalid ones, for links to echo (a search
      past its longest would otherwise be copied into every link of the page).
    """

    def __init__(self, params, *, page_size: int = PAGE_SIZE, rows: QuerySet | None = None):
        self.params = params if params is not None else QueryDict()
        self.page_size = page_size
        self.rows = rows if rows is not None else selectors.dialogue_cards(Dialogue.objects.all())
        # Readers see public dialogues only: every count, facet, page and download follows.
        self.filterset = DialogueFilterSet(params or None, queryset=Dialogue.objects.public())
        self._page: Page | None = None
        self._snippets: dict[int, dict[int, SafeString]] = {}

    @cached_property
    def errors(self) -> dict[str, list[str]]:
        return {
            field: [error["message"] for error in errors]
            for field, errors in self.filterset.form.errors.get_json_data().items()
        }

    @cached_property
    def valid_params(self) -> QueryDict:
        return without_invalid(self.params, self.filterset)

    @property
    def query(self) -> ParsedQuery:
        return self.filterset.query

    @property
    def searching(self) -> bool:
        return self.filterset.searching

    @property
    def sort(self) -> str:
        return self.filterset.active_sort

    @property
    def sorts(self) -> list[tuple[str, str]]:
        return [
            (key, label)
            for key, (label, _) in SORTS.items()
            if key != "relevance" or self.searching
        ]

    @property
    def queryset(self) -> QuerySet[Dialogue]:
        return self.filterset.qs

    @cached_property
    def count(self) -> int:
        return selectors.dialogue_count(self.filterset)

    @cached_property
    def paginator(self) -> Paginator:
        return selectors.KnownCountPaginator(
            selectors.dialogue_ids(self.filterset), self.page_size, count=self.count
        )

    @property
    def num_pages(self) -> int:
        return self.paginator.num_pages

    def page(self, number) -> Page:
        page = self.paginator.page(number)
        # Paging ids rather than rows is a deferred join: the database finds a page's ids from
        # an index alone, however deep the page, and only those rows are fetched afterwards.
        page.object_list = selectors.dialogues_in_order(page.object_list, self.rows)
        self._page = page
        return page

    @property
    def snippets(self) -> dict[int, SafeString]:
        if self._page is None or not self.searching:
            return {}
        number = self._page.number
        if number not in self._snippets:
            ids = [dialogue.pk for dialogue in self._page.object_list]
            self._snippets[number] = snippets(ids, self.query) if ids else {}
        return self._snippets[number]

    @cached_property
    def facets(self) -> list[tuple[Facet, list[tuple[str, str, int]]]]:
        return facet_counts(self.filterset)

    @cached_property
    def sentence(self) -> str:
        return words.sentence(self.filterset, self.count)

    @cached_property
    def sentence_html(self) -> str:
        """The sentence as markup for the page, its records' names and dates isolated."""
        return words.sentence(self.filterset, self.count, html=True)

    @cached_property
    def chips(self) -> list[words.Chip]:
        return words.chips(self.filterset, self.valid_params)


def without_invalid(params: QueryDict, filterset) -> QueryDict:
    """Return a copy of `params` with only those `filterset` knows and finds valid."""
    valid = params.copy()
    errors = filterset.form.errors if filterset.is_bound else {}
    for name in list(valid):
        if name not in filterset.form.fields or name in errors:
            valid.pop(name)
    return valid
