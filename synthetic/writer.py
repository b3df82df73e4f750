"""Write planned rows in bulk, per database, and rebuild the search index after them.

Rows are plain tuples in the order of their model's concrete fields, with primary keys assigned
up front so that children can point at their parents without reading ids back.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence

from django.core.management.color import no_style
from django.db import connections
from django.db.models import DateField

from dialogues import dates, writes
from dialogues.models import Dialogue
from dialogues.search import rum

Progress = Callable[[str, int, int], None]

_ORDER: dict[type, tuple[str, ...]] = {}


def row(model, **values) -> tuple:
    """Return the values as a tuple in the model's concrete field order.

    A dated row gets its date in words here, as a save's pre_save signal would give it.
    """
    order = _ORDER.get(model)
    if order is None:
        order = _ORDER[model] = tuple(f.attname for f in model._meta.concrete_fields)
    if "version" in order:
        # Every synthetic row is a record's first save; it keeps no history beyond that.
        values.setdefault("version", 1)
    if "date_display" in order and "date_display" not in values:
        values["date_display"] = dates.display(values["date"])
    defaults = _optional(model)
    return tuple(values[name] if name in values else defaults[name] for name in order)


@functools.cache
def _optional(model) -> dict:
    """The values a row may leave out: fields with a default, or nullable, or blank text.

    A required field left out still fails, with a KeyError naming it.
    """

    class Required(dict):
        def __missing__(self, name):
            raise KeyError(name)

    return Required(
        (field.attname, field.get_default())
        for field in model._meta.concrete_fields
        # A callable default (the time now) would make rows differ from run to run.
        if (field.has_default() and not callable(field.default))
        or (not field.has_default() and (field.null or field.blank))
    )


class Writer:
    """Write rows of one model at a time, in batches, and count them.

    Rows are tuples in the order of the model's concrete fields. PostgreSQL takes them through
    COPY and SQLite through `executemany`: `bulk_create` builds a model instance and prepares
    each value in Python and, on SQLite, binds at most 999 values per statement; a
    100,000-dialogue run on SQLite took 68 s of CPU with it against 25 s without. Other
    databases get `bulk_create`. A dry run only counts.
    """

    def __init__(self, using: str, batch_size: int, dry_run: bool, progress: Progress):
        self.using, self.batch_size, self.dry_run = using, batch_size, dry_run
        self.progress = progress
        self.connection = connections[using]
        vendor = self.connection.vendor
        if dry_run:
            self.method = self._count
        elif vendor == "postgresql":
            self.method = self._copy
        elif vendor == "sqlite":
            self.method = self._executemany
        else:
            self.method = self._bulk_create

    def write(self, stage: str, model, rows: Iterable[tuple], total: int) -> int:
        """Write the rows batch by batch, reporting progress after each; return how many."""
        rows = iter(rows)
        done = 0
        stage = stage.replace("_", " ")  # a table's name, as a person reads it
        self.progress(stage, 0, total)
        while count := self.method(model, itertools.islice(rows, self.batch_size)):
            done += count
            self.progress(stage, done, max(total, done))
        if done != total:
            self.progress(stage, done, done)
        return done

    def _names(self, model) -> tuple[str, str]:
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
        return quote(model._meta.db_table), columns

    @staticmethod
    def _count(model, rows: Iterator[tuple]) -> int:
        return sum(1 for _ in rows)

    def _copy(self, model, rows: Iterator[tuple]) -> int:
        first = next(rows, None)
        if first is None:
            return 0
        table, columns = self._names(model)
        self.connection.ensure_connection()
        count = 1
        # The raw cursor shares the connection, so COPY runs inside the same transaction.
        # Rows are generated as they are sent, so the server works while Python makes more.
        with self.connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write_row(first)
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count

    def _executemany(self, model, rows: Iterator[tuple]) -> int:
        batch = list(rows)
        if not batch:
            return 0
        table, columns = self._names(model)
        fields = model._meta.concrete_fields
        placeholders = ", ".join(["%s"] * len(fields))
        # Dates and times are stored as the backend's own text, as the ORM would store them.
        adapters = [
            (i, f.get_db_prep_save) for i, f in enumerate(fields) if isinstance(f, DateField)
        ]
        if adapters:
            adapted = []
            for row in batch:
                row = list(row)
                for i, adapt in adapters:
                    row[i] = adapt(row[i], self.connection)
                adapted.append(row)
            batch = adapted
        with self.connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", batch)
        return len(batch)

    def _bulk_create(self, model, rows: Iterator[tuple]) -> int:
        objects = [model(*row) for row in rows]
        model._base_manager.using(self.using).bulk_create(objects, batch_size=self.batch_size)
        return len(objects)


# --- Around the writes (PostgreSQL and other servers; SQLite needs none of it) ----------------


def _tables(connection, models: Sequence) -> str:
    return ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)


def lock_tables(using: str, models: Sequence) -> None:
    """On PostgreSQL, keep other writers out of the tables until the transaction ends."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # Ids are assigned from the tables' maxima, so no one else may insert meanwhile.
        cursor.execute(f"LOCK TABLE {_tables(connection, models)} IN EXCLUSIVE MODE")
        # Foreign keys are checked as each batch is written rather than all at commit:
        # the queue of deferred checks would hold an entry for every row written.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


# Dialogues indexed between two progress reports.
INDEX_BATCH = 5_000


def build_index(using: str, models: Sequence, progress: Progress | None = None) -> int:
    """Rebuild the search index of the whole archive; return how many dialogues it holds.

    The longest step of a large run, so it goes in batches of dialogues with a report after
    each (`progress("search index", done, total)`).
    """
    _prepare_for_indexing(using, models)
    ids = list(Dialogue.objects.using(using).order_by("pk").values_list("pk", flat=True))
    rum_index = _set_rum_aside(using)
    # COPY, executemany and bulk_create send no signals: the write path is told which dialogues
    # changed, a batch at a time, and rebuilds their index rows (and moves the generation on).
    indexed = 0
    if progress:
        progress("search index", 0, len(ids))
    for start in range(0, len(ids), INDEX_BATCH):
        writes.changed(dialogues=ids[start : start + INDEX_BATCH], using=using)
        indexed += writes.flush(using)
        if progress:
            progress("search index", min(start + INDEX_BATCH, len(ids)), len(ids))
    if rum_index:
        if progress:
            progress("RUM index", 0, 1)
        with connections[using].cursor() as cursor:
            cursor.execute(rum_index)
        if progress:
            progress("RUM index", 1, 1)
    _analyze_dialogues(using)
    return indexed


def _set_rum_aside(using: str) -> str | None:
    """Drop PostgreSQL's RUM index, if any, for the rebuild; return the SQL that builds it again.

    Updating a RUM index row by row took about 5 ms a dialogue, over six times the rest of the
    rebuild; building it once afterwards is one sort. Inside the run's transaction, so a failed
    run leaves the index as it was.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND indexname = %s",
            [rum.RUM_INDEX],
        )
        found = cursor.fetchone()
        if found is None:
            return None
        cursor.execute(f"DROP INDEX {rum.RUM_INDEX}")
    return found[0]


def _prepare_for_indexing(using: str, models: Sequence) -> None:
    """Give PostgreSQL what it needs to rebuild the search index in one pass over the archive.

    The index is built from correlated subqueries on the tables just filled. Their statistics
    still describe them as they were, often empty, which makes the planner scan whole tables
    once per dialogue: without ANALYZE a 100,000-dialogue rebuild took four minutes instead of
    about half a minute. JIT compiling the rebuild's query took over a second, and its time
    goes into text search functions that compiled expressions do not speed up.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {_tables(connection, models)}")
        cursor.execute("SET LOCAL jit = off")


def _analyze_dialogues(using: str) -> None:
    """Refresh PostgreSQL's statistics on the new search vectors, for the first searches' plans."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Dialogue._meta.db_table)}")


def reset_sequences(using: str, models: Sequence) -> None:
    """Move id sequences past the ids written, so that later ordinary inserts do not collide.

    On PostgreSQL a sequence only ever moves forward here: ids of rows deleted earlier are not
    handed out again. SQLite's AUTOINCREMENT keeps track of explicit ids by itself.
    """
    connection = connections[using]
    if connection.vendor == "sqlite":
        return
    if connection.vendor != "postgresql":
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            table, column = model._meta.db_table, model._meta.pk.column
            cursor.execute(
                "SELECT setval(seq, GREATEST(top, pg_sequence_last_value(seq))) FROM "
                "(SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) AS s, "
                f"(SELECT max({quote(column)}) AS top FROM {quote(table)}) AS t "
                "WHERE top IS NOT NULL",
                [quote(table), column],
            )
