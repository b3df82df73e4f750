"""Fold Arabic and Hebrew script in the search index: the function `trackii_normalise`.

It removes tashkeel, tatweel, niqqud and cantillation, folds the alef forms, alef maksura, teh
marbuta, the hamza seats and the Hebrew final letters, and turns the two scripts' punctuation
into spaces (dialogues/search/normalise.py says why each). On PostgreSQL it is an IMMUTABLE SQL
function, a `translate()`, which the search vector and the snippets apply to each text; on
SQLite the application registers the same function on every connection, and this migration
applies it to the text the full-text table holds already.

The two strings are frozen here, not imported, so this migration keeps working whatever the
search package becomes; tests/search/test_normalise.py checks that they are still the table's.
A change to the table is a new migration that replaces the function, and a rebuild of the index
(`manage.py rebuild_search_index`).
"""

from django.db import migrations

FUNCTION = "trackii_normalise"
FTS_TABLE = "dialogues_dialogue_fts"
FTS_COLUMNS = ("title", "summary", "people", "places", "outcomes", "excerpts")

SOURCE = (
    "\u05be\u05c0\u05c3\u05c6\u05f3\u05f4\u060c\u060d\u061b\u061e\u061f\u066a"
    "\u066b\u066c\u066d\u06d4\u06dd\u06de\u06e9\u0623\u0625\u0622\u0671\u0649"
    "\u0629\u0624\u0626\u05da\u05dd\u05df\u05e3\u05e5\u0660\u0661\u0662\u0663"
    "\u0664\u0665\u0666\u0667\u0668\u0669\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5"
    "\u06f6\u06f7\u06f8\u06f9\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652"
    "\u0653\u0654\u0655\u0656\u0657\u0658\u0659\u065a\u065b\u065c\u065d\u065e"
    "\u065f\u0670\u06d6\u06d7\u06d8\u06d9\u06da\u06db\u06dc\u06df\u06e0\u06e1"
    "\u06e2\u06e3\u06e4\u06e5\u06e6\u06e7\u06e8\u06ea\u06eb\u06ec\u06ed\u0640"
    "\u0591\u0592\u0593\u0594\u0595\u0596\u0597\u0598\u0599\u059a\u059b\u059c"
    "\u059d\u059e\u059f\u05a0\u05a1\u05a2\u05a3\u05a4\u05a5\u05a6\u05a7\u05a8"
    "\u05a9\u05aa\u05ab\u05ac\u05ad\u05ae\u05af\u05b0\u05b1\u05b2\u05b3\u05b4"
    "\u05b5\u05b6\u05b7\u05b8\u05b9\u05ba\u05bb\u05bc\u05bd\u05bf\u05c1\u05c2"
    "\u05c4\u05c5\u05c7\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308"
    "\u0309\u030a\u030b\u030c\u030d\u030e\u030f\u0310\u0311\u0312\u0313\u0314"
    "\u0315\u0316\u0317\u0318\u0319\u031a\u031b\u031c\u031d\u031e\u031f\u0320"
    "\u0321\u0322\u0323\u0324\u0325\u0326\u0327\u0328\u0329\u032a\u032b\u032c"
    "\u032d\u032e\u032f\u0330\u0331\u0332\u0333\u0334\u0335\u0336\u0337\u0338"
    "\u0339\u033a\u033b\u033c\u033d\u033e\u033f\u0340\u0341\u0342\u0343\u0344"
    "\u0345\u0346\u0347\u0348\u0349\u034a\u034b\u034c\u034d\u034e\u034f\u0350"
    "\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358\u0359\u035a\u035b\u035c"
    "\u035d\u035e\u035f\u0360\u0361\u0362\u0363\u0364\u0365\u0366\u0367\u0368"
    "\u0369\u036a\u036b\u036c\u036d\u036e\u036f"
)
TARGET = (
    "            "
    "       \u0627\u0627\u0627\u0627\u064a"
    "\u0647\u0648\u064a\u05db\u05de\u05e0\u05e4\u05e60123"
    "456789012345"
    "6789"
)


def _literal(value):
    return "'" + value.replace("'", "''") + "'"


CREATE = (
    f"CREATE OR REPLACE FUNCTION {FUNCTION}(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
    f"AS $$SELECT translate($1, {_literal(SOURCE)}, {_literal(TARGET)})$$"
)


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
    elif connection.vendor == "sqlite":
        # The text already indexed, normalised in place (FTS5 reindexes an updated row).
        columns = ", ".join(f"{column} = {FUNCTION}({column})" for column in FTS_COLUMNS)
        schema_editor.execute(f"UPDATE {FTS_TABLE} SET {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(text)")


class Migration(migrations.Migration):
    dependencies = [("dialogues", "0019_track_to_talks_and_level")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
