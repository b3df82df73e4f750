"""Read, order, save and validate fixture records: the work behind `load_initial_data`.

Records are read from JSON files, put in dependency order, saved through Django's
deserializers with natural keys (so an existing row is updated, not duplicated) and validated
with `full_clean()` and the archive's integrity checks. Every error names the file and the
record.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    ValidationError,
)
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.utils import timezone

from . import integrity
from .models import Citation, Dialogue, Outcome, Source, Status, UncertainDate, citation_key
from .models.base import Timestamped
from .models.publishing import Publishable

RECORD_KEYS = {"model", "pk", "fields"}


class FixtureError(Exception):
    """A fixture that cannot be loaded; the message names the file and, where known, the record."""


@dataclass
class Record:
    """One record of one fixture file, and what became of it."""

    path: Path
    index: int  # 1-based position in its file
    model: type
    fields: dict
    pk: object = None
    has_pk: bool = False
    key: tuple | None = None
    obj: serializers.base.DeserializedObject | None = None
    existed: bool = False
    status: str = ""  # what an update did: new, updated, unchanged, edited, untracked
    changes: dict | None = None  # field -> (before, after), for updates

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def where(self) -> str:
        if self.key is not None:
            name = key_text(self.key)
        else:
            slug = self.fields.get("slug")
            name = slug if isinstance(slug, str) else ""
        who = f"{self.label} {name}" if name else self.label
        return f"{show(self.path)}, record {self.index} ({who})"


# --- Reading ------------------------------------------------------------------------------


def fixture_files(folder: Path, option: str | None) -> list[Path]:
    """Return the folder's .json files in name order, or raise CommandError saying why not."""
    prefix = f"{option}: " if option else ""
    if not folder.exists():
        raise CommandError(
            f"{prefix}the fixtures folder “{folder}” does not exist. "
            "Give a folder that holds the fixture .json files."
        )
    if not folder.is_dir():
        raise CommandError(
            f"{prefix}“{folder}” is a file, not a folder. Give the folder that holds the "
            "fixture .json files."
        )
    try:
        paths = sorted(
            path for path in folder.iterdir() if path.suffix.lower() == ".json" and path.is_file()
        )
    except OSError as exc:
        raise CommandError(
            f"{prefix}the folder “{folder}” cannot be read: {exc.strerror}."
        ) from None
    if not paths:
        raise CommandError(f"{prefix}the folder “{folder}” holds no .json fixture files.")
    return paths


def read_fixture(path: Path) -> list[Record]:
    """Parse one fixture file into records, checking its shape and that each model exists."""
    shown = show(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FixtureError(f"{shown}: not UTF-8 text (bad byte at position {exc.start}).") from None
    except OSError as exc:
        raise FixtureError(f"{shown}: cannot be read: {exc.strerror}.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FixtureError(
            f"{shown}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    if not isinstance(data, list):
        raise FixtureError(f"{shown}: expected a JSON list of records, found {_json_type(data)}.")

    records = []
    for index, item in enumerate(data, start=1):
        where = f"{shown}, record {index}"
        if not isinstance(item, dict):
            raise FixtureError(
                f'{where}: expected an object with "model" and "fields", found {_json_type(item)}.'
            )
        extra = sorted(set(item) - RECORD_KEYS)
        if extra:
            raise FixtureError(
                f"{where}: unexpected key {', '.join(map(repr, extra))}; a record has only "
                '"model", "fields" and, rarely, "pk".'
            )
        label = item.get("model")
        if not isinstance(label, str) or not label.strip():
            raise FixtureError(
                f'{where}: "model" is missing; give it as "app_label.model_name", '
                'for example "dialogues.dialogue".'
            )
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            known = ", ".join(
                m._meta.label_lower for m in apps.get_app_config("dialogues").get_models()
            )
            raise FixtureError(
                f"{where}: unknown model “{label}”. The archive's models are: {known}."
            ) from None
        fields = item.get("fields", {})
        if not isinstance(fields, dict):
            raise FixtureError(f'{where}: "fields" must be an object, found {_json_type(fields)}.')
        records.append(
            Record(path, index, model, fields, pk=item.get("pk"), has_pk=item.get("pk") is not None)
        )
    return records


def in_dependency_order(records: list[Record]) -> list[Record]:
    """Sort records so that every record comes after those its natural key and links need.

    Django can defer forward references only for links that may be empty and only when the
    natural key does not pass through them; a citation's key does (it names its dialogue), so
    ordering by model is what lets fixtures list records in any order.
    """
    by_app: dict = defaultdict(list)
    for model in dict.fromkeys(record.model for record in records):
        by_app[model._meta.app_config].append(model)
    order = serializers.sort_dependencies(list(by_app.items()), allow_cycles=True)
    rank = {model: i for i, model in enumerate(order)}
    return sorted(records, key=lambda record: rank[record.model])


# --- Saving -------------------------------------------------------------------------------


def check_fields(record: Record, using: str) -> None:
    """Check each field name, value and natural-key link, so errors can name the field."""
    opts = record.model._meta
    for name, value in record.fields.items():
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            known = ", ".join(f.name for f in opts.concrete_fields if not f.primary_key)
            raise FixtureError(
                f"{record.where()}: {record.label} has no field “{name}”. Its fields are: {known}."
            ) from None
        if not field.concrete or field.primary_key:
            raise FixtureError(f"{record.where()}: “{name}” cannot be set in a fixture.")
        if field.many_to_many or value is None:
            continue
        if field.is_relation:
            _check_link(record, field, value, using)
            continue
        try:
            field.to_python(value)
        except ValidationError as exc:
            raise FixtureError(
                f"{record.where()}: {name} {json.dumps(value, ensure_ascii=False)} is not "
                f"valid: {' '.join(exc.messages)}"
            ) from None


def _check_link(record: Record, field, value, using: str) -> None:
    related = field.related_model
    manager = related._default_manager.db_manager(using)
    if not (isinstance(value, list) and hasattr(manager, "get_by_natural_key")):
        return  # a plain primary key: the deserializer and the database check it
    what = f"{related._meta.verbose_name} “{key_text(value)}”"
    try:
        manager.get_by_natural_key(*value)
    except ObjectDoesNotExist:
        raise FixtureError(
            f"{record.where()}: {field.name} refers to the {what}, which is neither in the "
            "fixtures nor in the archive."
        ) from None
    except MultipleObjectsReturned:
        raise FixtureError(
            f"{record.where()}: {field.name} refers to the {what}, which matches several records."
        ) from None
    except (TypeError, ValueError, ValidationError) as exc:
        raise FixtureError(
            f"{record.where()}: {field.name} {json.dumps(value, ensure_ascii=False)} is not a "
            f"natural key of {related._meta.verbose_name}: {exc}"
        ) from None


def prepare_record(record: Record, seen: dict[tuple, Record], using: str):
    """Check and deserialize one record; find the existing row that has its natural key."""
    check_fields(record, using)
    _default_key(record)
    fixture = {"model": record.label, "fields": record.fields}
    if record.has_pk:
        fixture["pk"] = record.pk
    try:
        (obj,) = serializers.deserialize("python", [fixture], using=using)
        instance = obj.object
        if hasattr(instance, "natural_key"):
            record.key = tuple(instance.natural_key())
        else:
            record.key = ("pk", instance.pk)
    except Exception as exc:  # the deserializers raise many kinds; all mean a bad record
        raise FixtureError(f"{record.where()}: {_explain(exc)}") from None

    identity = (record.label, record.key)
    if identity in seen:
        raise FixtureError(
            f"{record.where()}: the same record (same natural key) is already in "
            f"{seen[identity].where()}; keep only one."
        )
    seen[identity] = record

    if record.has_pk:
        record.existed = record.model._base_manager.using(using).filter(pk=instance.pk).exists()
    else:
        # The deserializer found the row with this natural key and took its primary key.
        record.existed = instance.pk is not None
    if (
        issubclass(record.model, Publishable)
        and not record.existed
        and "status" not in record.fields
    ):
        # The fixtures are the archive's published content; an update leaves a publisher's
        # later decision (a withdrawal, say) alone, as it leaves every field it does not give.
        instance.status = Status.PUBLISHED
        instance.published_at = timezone.now()
    record.obj = obj
    return obj


def _default_key(record: Record) -> None:
    """Derive the stable key of an outcome or citation that a fixture gives without one.

    Raw saves skip `save()`, which would otherwise fill it in; the rule is the same.
    """
    fields = record.fields
    if record.model is Outcome and not fields.get("key"):
        fields["key"] = fields.get("kind") or ""
    elif record.model is Citation and not fields.get("key"):
        fields["key"] = citation_key(fields.get("paragraph"), fields.get("excerpt"))


def write_record(record: Record, using: str, fields: list[str] | None = None) -> None:
    """Save a prepared record: all of it when new, else the given (or the fixture's) fields."""
    try:
        if record.existed:
            names = set(fields if fields is not None else record.fields)
            # A correction (given fields) moves the datestamp; a reload (--force) does not.
            update = _update_fields(record.model, names, stamp=fields is not None)
            record.obj.save(using=using, update_fields=update)
        else:
            record.obj.save(using=using)
    except (DatabaseError, ValueError, TypeError) as exc:
        raise FixtureError(f"{record.where()}: the database refused it: {exc}") from None


def save_record(record: Record, seen: dict[tuple, Record], using: str) -> None:
    """Deserialize and save one record, updating the existing row that has its natural key."""
    prepare_record(record, seen, using)
    write_record(record, using)


def _update_fields(model, given, *, stamp: bool = False) -> list[str]:
    """Name the columns a fixture record may overwrite: those it gives, and what they derive.

    Fields the fixture leaves out keep their stored values, so a reload neither resets an
    editor's additions nor moves a record's creation time.
    """
    fields = [model._meta.get_field(name) for name in given]
    names = {f.name for f in fields if f.concrete and not f.many_to_many and not f.primary_key}
    if issubclass(model, UncertainDate) and "date" in names:
        names |= {"date_earliest", "date_latest", "date_display"}
    if stamp and issubclass(model, Timestamped):
        names.add("updated")  # the write path stamps it (dialogues.writes)
    return sorted(names)


# --- Validating ---------------------------------------------------------------------------


def validate(records: list[Record], before: set, using: str) -> list[str]:
    """Return what is wrong with the loaded records, each naming its file and record.

    Problems that were already in the archive before the load are not the fixtures' fault
    and are left to check_archive.
    """
    errors = []
    ids: dict[type, list] = defaultdict(list)
    for record in records:
        ids[record.model].append(record.obj.object.pk)
    # Validate the stored rows, not the deserialized objects, which lack the stored values of
    # fields a fixture leaves out.
    stored = {model: model._base_manager.using(using).in_bulk(pks) for model, pks in ids.items()}
    failed = set()
    for record in records:
        instance = stored[record.model][record.obj.object.pk]
        try:
            instance.full_clean()
        except ValidationError as exc:
            errors.append(f"{record.where()}: {_validation_text(exc, record.model)}")
            failed.add((record.label, record.key))

    by_identity = {(record.label, record.key): record for record in records}
    for problem in integrity.check_records():
        if problem in before or problem.record in failed:
            continue
        record = by_identity.get(problem.record)
        where = record.where() if record else f"{problem.label} (already in the archive)"
        errors.append(f"{where}: {problem.message} [{problem.code}]")
    return errors


def held_records(using: str) -> str:
    dialogues = Dialogue.objects.using(using).count()
    if dialogues:
        return count(dialogues, "dialogue")
    sources = Source.objects.using(using).count()
    return count(sources, "source") if sources else ""


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def key_text(key) -> str:
    parts = []
    for part in key:
        text = str(part)
        parts.append(text if len(text) <= 40 else text[:39] + "…")
    return " / ".join(parts)


def show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _json_type(value) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true or false"}
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _explain(exc: Exception) -> str:
    # DeserializationError wraps the real error and appends internals (pk=None, raw values);
    # the wrapped error says what is wrong in words.
    original = exc.__context__ or exc
    if isinstance(original, ValidationError):
        return " ".join(original.messages)
    return str(original) or type(original).__name__


def _validation_text(exc: ValidationError, model) -> str:
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts = []
    for name, messages in exc.message_dict.items():
        text = " ".join(messages)
        if name != NON_FIELD_ERRORS:
            # Some messages already open with the field's name ("Date: …"); say it only once.
            verbose = str(model._meta.get_field(name).verbose_name).capitalize()
            if not text.startswith(f"{verbose}:"):
                text = f"{name}: {text}"
        parts.append(text)
    return "; ".join(parts)
