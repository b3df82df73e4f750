"""The Table Schemas follow the models: types, constraints and vocabularies are read from them."""

from __future__ import annotations

import pytest

from dialogues.models import (
    Background,
    Dialogue,
    OutcomeKind,
    Participant,
    ParticipantKind,
    Role,
    Side,
    Track,
    VenueKind,
)
from dialogues.releases.schema import (
    SLUG_PATTERN,
    TABLES,
    TABLES_BY_NAME,
    field_descriptor,
    table_schema,
)


def fields_of(name: str) -> dict[str, dict]:
    return {f["name"]: f for f in table_schema(TABLES_BY_NAME[name])["fields"]}


def test_the_tables_in_reading_order():
    assert [t.name for t in TABLES] == [
        "dialogues",
        "participants",
        "participations",
        "outcomes",
        "citations",
        "eras",
        "sources",
        "conflicts",
        "organisations",
        "affiliations",
        "places",
        "dialogue_places",
        "series",
        "series_memberships",
        "external_ids",
    ]


@pytest.mark.parametrize(
    "table, field, vocabulary",
    [
        ("dialogues", "track", Track),
        ("dialogues", "venue_kind", VenueKind),
        ("participants", "side", Side),
        ("participants", "kind", ParticipantKind),
        ("participants", "background", Background),
        ("participations", "side", Side),
        ("participations", "role", Role),
        ("outcomes", "kind", OutcomeKind),
    ],
)
def test_a_vocabulary_is_an_enum_with_its_labels(table, field, vocabulary):
    descriptor = fields_of(table)[field]
    assert descriptor["constraints"]["enum"] == list(vocabulary.values)
    assert descriptor["categories"] == [
        {"value": value, "label": label} for value, label in vocabulary.choices
    ]


def test_lengths_and_requirements_come_from_the_model():
    dialogues = fields_of("dialogues")
    title = Dialogue._meta.get_field("title")
    assert dialogues["title"]["constraints"] == {"required": True, "maxLength": title.max_length}
    # A blank-able text is not required; a TextField has no maximum.
    assert dialogues["place"]["constraints"] == {"maxLength": 200}
    assert "constraints" not in dialogues["date_note"]
    assert dialogues["date_earliest"]["type"] == "date"
    participants = fields_of("participants")
    assert participants["name"]["constraints"]["maxLength"] == (
        Participant._meta.get_field("name").max_length
    )
    assert "required" not in participants["background"]["constraints"]


def test_slugs_are_unique_and_patterned_and_keys_refer_to_them():
    dialogues = fields_of("dialogues")
    assert dialogues["slug"]["constraints"] == {
        "required": True,
        "unique": True,
        "maxLength": 120,
        "pattern": SLUG_PATTERN,
    }
    assert dialogues["era"]["constraints"]["pattern"] == SLUG_PATTERN
    schema = table_schema(TABLES_BY_NAME["dialogues"])
    assert schema["primaryKey"] == ["slug"]
    assert {"fields": ["era"], "reference": {"resource": "eras", "fields": ["slug"]}} in schema[
        "foreignKeys"
    ]


def test_compound_keys_of_the_rows_that_hang_on_a_dialogue():
    assert table_schema(TABLES_BY_NAME["participations"])["primaryKey"] == [
        "dialogue",
        "participant_key",
    ]
    assert table_schema(TABLES_BY_NAME["citations"])["primaryKey"] == ["dialogue", "key"]
    citations = fields_of("citations")
    assert citations["paragraph"]["type"] == "integer"
    assert citations["paragraph"]["constraints"]["minimum"] == 1
    assert fields_of("eras")["position"]["constraints"]["minimum"] == 0
    assert fields_of("sources")["url"]["format"] == "uri"


def test_every_field_has_a_description_and_every_column_a_model_field():
    for table in TABLES:
        for column in table.columns:
            descriptor = field_descriptor(column)
            assert descriptor["description"].strip(), (table.name, column.name)


def test_a_new_choice_in_a_vocabulary_reaches_the_schema(monkeypatch):
    field = Dialogue._meta.get_field("track")
    monkeypatch.setattr(field, "choices", [*field.choices, ("backchannel", "Back channel")])
    descriptor = fields_of("dialogues")["track"]
    assert descriptor["constraints"]["enum"][-1] == "backchannel"
    assert descriptor["categories"][-1] == {"value": "backchannel", "label": "Back channel"}
