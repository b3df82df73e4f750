"""Every use of Django's private query internals by the search, and nothing else.

Django has no relation to a virtual table, so the SQLite backend joins its FTS5 index into a
query by handing the `Query` an object that stands in for `django.db.models.sql.datastructures.
Join`, and reads the table alias a resolved column carries. Neither is public API.

Checked against Django 5.2. tests/search/test_django_internals.py exercises each of these
directly (the attributes a real `Join` has, `Query.join`, `alias_map`, promotion under `|`,
relabelling in a subquery, `Col.alias`), so that an upgrade which changes them fails there
first, not in a search.
"""

from __future__ import annotations

from django.db import NotSupportedError
from django.db.models.sql.constants import INNER

CHECKED_DJANGO_VERSIONS = ((5, 2),)


class FtsJoin:
    """An inner join of an FTS5 table onto the dialogues it matches, as an entry of a Query.

    It offers the attributes and methods Django's `Join` offers. Joined so, the index is scanned
    once per query and each match's bm25 is worked out in that scan, only for rows that pass
    every other filter and only when the rank is selected or sorted on; a count never computes
    it. The aliases are relabelled like any table's, so the queryset still works nested in
    another as a subquery.
    """

    join_type = INNER
    filtered_relation = None
    # Declared nullable only so that Django asks to promote it to an outer join where one is
    # needed, which is when a search is combined with `|`: see promote().
    nullable = True

    def __init__(
        self,
        table_name: str,
        parent_alias,
        table_alias,
        pk_column: str,
        match: str,
        *,
        drives=True,
        either=False,
    ):
        self.table_name = table_name
        self.parent_alias, self.table_alias = parent_alias, table_alias
        self.pk_column, self.match = pk_column, match
        self.drives, self.either = drives, either

    def as_sql(self, compiler, connection):
        if self.either:
            # FTS5 cannot run a MATCH under an OR, and an outer join would let in every
            # dialogue: no SQL gives the rows asked for.
            raise NotSupportedError(
                "A search cannot be combined with | on SQLite: put `or` in the query instead."
            )
        quote = connection.ops.quote_name
        alias = compiler.quote_name_unless_alias(self.table_alias)
        renamed = f" {self.table_alias}" if self.table_alias != self.table_name else ""
        # Left to itself SQLite may walk the dialogues (those of an era, say) and look each
        # one up in the index by rowid, which reruns the MATCH once per dialogue: over ten
        # times slower for a common word. The `+` leaves it only the scan of the matches as
        # the outer loop. A second search on the same queryset goes without, so that it is
        # looked up by rowid for each match of the first.
        rowid = f"{'+' if self.drives else ''}{alias}.rowid"
        parent = f"{compiler.quote_name_unless_alias(self.parent_alias)}.{quote(self.pk_column)}"
        return (
            f"INNER JOIN {quote(self.table_name)}{renamed} "
            f"ON ({rowid} = {parent} AND {alias}.{quote(self.table_name)} MATCH %s)",
            [self.match],
        )

    def relabeled_clone(self, change_map, *, either=None):
        return self.__class__(
            self.table_name,
            change_map.get(self.parent_alias, self.parent_alias),
            change_map.get(self.table_alias, self.table_alias),
            self.pk_column,
            self.match,
            drives=self.drives,
            either=self.either if either is None else either,
        )

    @property
    def identity(self):
        return self.__class__, self.table_name, self.parent_alias, self.match, self.drives

    def __eq__(self, other):
        if not isinstance(other, FtsJoin):
            return NotImplemented
        return self.identity == other.identity

    def __hash__(self):
        return hash(self.identity)

    def demote(self):
        return self.relabeled_clone({})

    def promote(self):
        # Django promotes a join when it may match nothing in one branch of an OR: only `|`
        # between querysets does that to this one.
        return self.relabeled_clone({}, either=True)


def join_fts(queryset, table_name: str, match: str):
    """Join the FTS5 table `table_name` onto `queryset` for rows matching `match`.

    Return the new queryset and the alias the index has in it, for expressions over the match.
    """
    queryset = queryset.all()
    query = queryset.query
    # Only the first search of a queryset drives the scan: see FtsJoin.as_sql().
    drives = not any(isinstance(entry, FtsJoin) for entry in query.alias_map.values())
    join = FtsJoin(
        table_name,
        query.get_initial_alias(),
        None,
        queryset.model._meta.pk.column,
        match,
        drives=drives,
    )
    alias = query.join(join, reuse=set())
    # Being nullable, it was made an outer join; it filters, so it is an inner one.
    query.alias_map[alias] = query.alias_map[alias].demote()
    return queryset, alias


def column_alias(column) -> str:
    """Return the table alias a resolved column expression (a `Col`) reads from."""
    return column.alias
