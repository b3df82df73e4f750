"""Add the full-text search index: an FTS5 table on SQLite, a weighted tsvector on PostgreSQL.

Neither is a model field, so the model state does not change and makemigrations stays clean on
both databases. The SQL that fills the index is frozen here rather than imported from
dialogues.search, so this migration keeps working however that module changes later.
"""

from django.db import migrations

FTS_TABLE = "dialogues_dialogue_fts"

SQLITE_CREATE = f"""
CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
    title, summary, people, places, outcomes, excerpts,
    tokenize = 'porter unicode61 remove_diacritics 2'
)
"""

SQLITE_FILL = f"""
INSERT INTO {FTS_TABLE} (rowid, title, summary, people, places, outcomes, excerpts)
SELECT
    d.id,
    d.title,
    d.summary,
    coalesce((
        SELECT group_concat(name, '; ') FROM (
            SELECT p.name AS name
            FROM dialogues_participation pp
            JOIN dialogues_participant p ON p.id = pp.participant_id
            WHERE pp.dialogue_id = d.id
            ORDER BY p.name
        )
    ), ''),
    trim(d.place || ' ' || d.venue),
    coalesce((
        SELECT group_concat(description, ' ') FROM (
            SELECT o.description AS description
            FROM dialogues_outcome o
            WHERE o.dialogue_id = d.id
            ORDER BY o.kind
        )
    ), ''),
    coalesce((
        SELECT group_concat(excerpt, ' … ') FROM (
            SELECT c.excerpt AS excerpt
            FROM dialogues_citation c
            WHERE c.dialogue_id = d.id
            ORDER BY c.id
        )
    ), '')
FROM dialogues_dialogue d
"""

# Punctuation becomes a space before PostgreSQL's parser sees the text, so that it splits words
# the way SQLite's unicode61 tokenizer does: its own parser would read "Israeli/Palestinian" as
# one file name and an e-mail address as one token. The class is spelt out instead of
# [^[:alnum:]] because the latter drops every accented letter under the C locale.
PG_SEPARATORS = (
    r"[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f\u00a0-\u00bf\u00d7\u00f7"
    r"\u2000-\u206f\u2e00-\u2e7f\u3000-\u303f]+"
)

PG_PEOPLE = """coalesce((
    SELECT string_agg(p.name, '; ' ORDER BY p.name)
    FROM dialogues_participation pp
    JOIN dialogues_participant p ON p.id = pp.participant_id
    WHERE pp.dialogue_id = d.id
), '')"""
PG_OUTCOMES = """coalesce((
    SELECT string_agg(o.description, ' ' ORDER BY o.kind)
    FROM dialogues_outcome o WHERE o.dialogue_id = d.id
), '')"""
PG_EXCERPTS = """coalesce((
    SELECT string_agg(c.excerpt, ' … ' ORDER BY c.id)
    FROM dialogues_citation c WHERE c.dialogue_id = d.id
), '')"""
PG_TEXT_BY_WEIGHT = {
    "A": "d.title",
    "B": PG_PEOPLE,
    "C": f"d.summary || ' ' || btrim(d.place || ' ' || d.venue) || ' ' || {PG_OUTCOMES}",
    "D": PG_EXCERPTS,
}
PG_VECTOR = " || ".join(
    f"setweight(to_tsvector('trackii', regexp_replace({text}, '{PG_SEPARATORS}', ' ', 'g')), "
    f"'{weight}')"
    for weight, text in PG_TEXT_BY_WEIGHT.items()
)

PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # The stock english_stem dictionary drops stop words, which SQLite's index keeps; a snowball
    # dictionary without a stop-word list makes "the", "or" and "not" searchable on both.
    "CREATE TEXT SEARCH DICTIONARY trackii_english_stem (TEMPLATE = snowball, Language = english)",
    "CREATE TEXT SEARCH CONFIGURATION trackii (COPY = english)",
    """ALTER TEXT SEARCH CONFIGURATION trackii
        ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
        WITH unaccent, trackii_english_stem""",
    "ALTER TABLE dialogues_dialogue ADD COLUMN search_vector tsvector",
    # Filled before it is indexed: building a GIN index once is faster than growing it.
    f"UPDATE dialogues_dialogue AS d SET search_vector = {PG_VECTOR}",
    "CREATE INDEX dialogue_search_vector ON dialogues_dialogue USING gin (search_vector)",
]

# The unaccent extension stays: other schemas or later code may rely on it.
PG_DROP = [
    "DROP INDEX IF EXISTS dialogue_search_vector",
    "ALTER TABLE dialogues_dialogue DROP COLUMN IF EXISTS search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS trackii",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS trackii_english_stem",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [SQLITE_CREATE, SQLITE_FILL])
    elif vendor == "postgresql":
        _run(schema_editor, PG_CREATE)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [f"DROP TABLE IF EXISTS {FTS_TABLE}"])
    elif vendor == "postgresql":
        _run(schema_editor, PG_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0002_editors_group"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
