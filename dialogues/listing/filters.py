"""The one FilterSet behind the browse page, the exports and the API, and its sorts.

Every parameter is validated by the FilterSet's form, so a bad value becomes a form error with a
message, never an exception: the page shows the error and ignores the bad value.
"""

from __future__ import annotations

import functools
import re

import django_filters
from django import forms
from django.utils.functional import cached_property, lazy
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import Country

from .. import dates
from ..models import (
    Background,
    Capacity,
    Conflict,
    Dialogue,
    DialoguePlace,
    Era,
    Level,
    Organisation,
    Outcome,
    OutcomeKind,
    Participant,
    ParticipantKind,
    Participation,
    Place,
    Series,
    SeriesMembership,
    Side,
    Track,
    public_q,
)
from ..models.table import background_at_meeting_q, side_at_meeting_q
from ..search.query import MAX_QUERY_LENGTH, ParsedQuery, parse
from ..search.queryset import search_queryset

# Only these two shapes: Python's ISO parser also takes `19950602`, `1995-W23` and other digits.
DATE_BOUND = re.compile(r"[0-9]{4}(-[0-9]{2}-[0-9]{2})?")


@functools.cache
def _country_names(language: str) -> dict[str, str]:
    """Every country's name as django-countries gives it in `language`, read once per language.

    The list page's form draws all 249 countries; naming them afresh on each page cost more
    than the rest of the form.
    """
    return {code: str(Country(code).name) for code, _name in countries}


# Each country's name in the page's language.
_country_name = lazy(lambda code: _country_names(get_language() or "")[code], str)
# ISO 3166 alpha-2 codes (a fixed list, so that the API's schema can list them), named lazily.
COUNTRIES = tuple((code, _country_name(code)) for code, _name in countries)


SORTS = {
    "date": (_("Date, earliest first"), Dialogue.CHRONOLOGICAL),
    # By the latest possible day; all keys descending, so one index serves it read backwards.
    "-date": (_("Date, latest first"), ("-date_latest", "-date_earliest", "-title", "-pk")),
    "title": (_("Title"), ("title", "date_earliest", "pk")),
    "relevance": (_("Relevance"), ("-search_rank", "date_earliest", "pk")),
}

# A filter's name inside a sentence ("There is no era …"), lowercased as English writes it.
_lower = lazy(lambda label: str(label).lower(), str)


class RecordSelect(forms.Select):
    """A list of records by name: on a page in another language each name, held in English,
    is marked `lang="en"`."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        language = (get_language() or "en").split("-")[0]
        if value not in (None, "") and language != "en":
            option["attrs"] = {**option["attrs"], "lang": "en"}
        return option


class DateBoundField(forms.CharField):
    """A year (`1995`) or an ISO date (`1995-06-02`); `end=True` reads a year as its last day."""

    def __init__(self, *args, end: bool = False, **kwargs):
        self.end = end
        kwargs.setdefault("max_length", 10)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            if not DATE_BOUND.fullmatch(value):
                raise dates.InvalidDate(value)
            return dates.parse_bound(value, end=self.end)
        except dates.InvalidDate as exc:
            raise forms.ValidationError(
                _(
                    "“%(value)s” is not a date. Enter a year such as 1995 or a date such as "
                    "1995-06-02."
                ),
                code="invalid_bound",
                params={"value": value[:20]},
            ) from exc


class DateBoundFilter(django_filters.Filter):
    field_class = DateBoundField

    def __init__(self, *args, end=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra["end"] = end

    def filter(self, qs, value):
        # The overlap or containment test needs both bounds at once: see DialogueFilterSet.
        return qs


def _slug_choice(queryset, label, **kw):
    return django_filters.ModelChoiceFilter(
        queryset=queryset,
        to_field_name="slug",
        label=label,
        error_messages={
            "invalid_choice": format_lazy(
                _("There is no {kind} “%(value)s”. Choose one from the list, or leave it empty."),
                kind=_lower(label),
            )
        },
        **kw,
    )


def _choice(choices, label, **kw):
    return django_filters.ChoiceFilter(
        choices=choices,
        label=label,
        empty_label=format_lazy(_("Any {kind}"), kind=_lower(label)),
        error_messages={
            "invalid_choice": format_lazy(
                _("“%(value)s” is not a known {kind}. Accepted: {accepted}."),
                kind=_lower(label),
                accepted=", ".join(value for value, _label in choices),
            )
        },
        **kw,
    )


class PlaceField(forms.CharField):
    """A published place's slug, read as that place; any other text as the words of a place.

    Links made before places were records (`?place=Norway`) keep working: text that is no
    place's slug matches the dialogues whose place, in words, contains it.
    """

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        value = value.strip()
        place = Place.objects.public().filter(slug=value).first()
        return place if place is not None else value


class PlaceFilter(django_filters.Filter):
    field_class = PlaceField

    def filter(self, qs, value):
        if isinstance(value, Place):
            places = DialoguePlace.objects.filter(place=value)
            return qs.filter(pk__in=places.values("dialogue_id"))
        if value:
            return qs.filter(place__icontains=value)
        return qs


class DialogueFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": format_lazy(
                _("The search is too long: use at most {limit} characters."),
                limit=f"{MAX_QUERY_LENGTH:,}",
            )
        },
    )
    era = _slug_choice(Era.objects.all(), _("Era"), widget=RecordSelect)
    conflict = _slug_choice(Conflict.objects.all(), _("Conflict"), widget=RecordSelect)
    # Only a participant readers may see can be chosen: naming another would show their name.
    participant = _slug_choice(
        # A callable, so that "today" is the request's day; a participant with no public page
        # is then "no such participant", word for word as for a slug that never existed.
        lambda request: Participant.objects.public(),
        _("Participant"),
        method="filter_participant",
        widget=forms.TextInput(attrs={"placeholder": _("participant slug")}),
    )
    side = _choice(Side.choices, _("Side"), method="filter_side")
    background = _choice(Background.choices, _("Background"), method="filter_background")
    outcome = _choice(OutcomeKind.choices, _("Outcome"), method="filter_outcome")
    track = _choice(Track.choices, _("Track"))
    place = PlaceFilter(
        label=_("Place"),
        max_length=200,
        error_messages={"max_length": _("A place has at most 200 characters.")},
    )
    level = _choice(Level.choices, _("Level"))
    capacity = _choice(Capacity.choices, _("Capacity"), method="filter_capacity")
    organisation = _slug_choice(
        lambda request: Organisation.objects.public(),
        _("Organisation"),
        method="filter_organisation",
        widget=forms.TextInput(attrs={"placeholder": _("organisation slug")}),
    )
    series = _slug_choice(
        lambda request: Series.objects.public(),
        _("Series"),
        method="filter_series",
        widget=forms.TextInput(attrs={"placeholder": _("series slug")}),
    )
    country = django_filters.ChoiceFilter(
        choices=COUNTRIES,
        label=_("Country"),
        empty_label=_("Any country"),
        method="filter_country",
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not an ISO 3166 country code. Write its two capital letters, "
                "e.g. NO for Norway or JO for Jordan."
            )
        },
    )
    date_from = DateBoundFilter(label=_("From"))
    date_to = DateBoundFilter(label=_("To"), end=True)
    match = _choice(
        (("overlap", _("Overlaps the range")), ("within", _("Lies wholly within the range"))),
        _("Match"),
    )
    sort = _choice(tuple((key, label) for key, (label, _order) in SORTS.items()), _("Sort"))

    class Meta:
        model = Dialogue
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Dialogue.objects.public()
        super().__init__(data=data, queryset=queryset, **kwargs)

    # --- filter methods ---------------------------------------------------------------------

    def filter_search(self, qs, name, value):
        return search_queryset(qs, self.query) if value.strip() else qs

    # Each reads only what the record page shows: a withheld participation never matches by
    # participant or background, and matches by side only where its side is shown.
    def filter_participant(self, qs, name, value):
        return qs.filter(pk__in=value.participations.disclosed().values("dialogue_id"))

    # Semi-joins (`id IN (…)`) rather than joins: a join repeats a dialogue once per matching
    # row and needs DISTINCT over whole rows to undo it. Side and background are those held at
    # the meeting: the participation's own where recorded, else the participant's.
    def filter_side(self, qs, name, value):
        people = Participation.objects.shows_side().filter(side_at_meeting_q(value))
        return qs.filter(pk__in=people.values("dialogue_id"))

    def filter_background(self, qs, name, value):
        people = Participation.objects.disclosed().filter(background_at_meeting_q(value))
        return qs.filter(pk__in=people.values("dialogue_id"))

    # Issue 21: capacity and organisation as at the table (disclosed participations only),
    # published series, and the countries of published places.
    def filter_capacity(self, qs, name, value):
        people = Participation.objects.disclosed().filter(capacity=value)
        return qs.filter(pk__in=people.values("dialogue_id"))

    def filter_organisation(self, qs, name, value):
        people = Participation.objects.disclosed().filter(on_behalf_of=value)
        return qs.filter(pk__in=people.values("dialogue_id"))

    def filter_series(self, qs, name, value):
        return qs.filter(pk__in=SeriesMembership.objects.filter(series=value).values("dialogue_id"))

    def filter_country(self, qs, name, value):
        places = DialoguePlace.objects.filter(public_q("place__"), place__country=value)
        return qs.filter(pk__in=places.values("dialogue_id"))

    def filter_outcome(self, qs, name, value):
        return qs.filter(pk__in=Outcome.objects.filter(kind=value).values("dialogue_id"))

    # --- the whole set ----------------------------------------------------------------------

    @property
    def cleaned(self) -> dict:
        """The valid values given, without empty ones. Invalid values are left out."""
        self.errors  # noqa: B018  (runs validation)
        data = getattr(self.form, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "", [])}

    def filter_queryset(self, queryset, *, without: str | None = None):
        """Apply every valid filter except `without` (a facet leaves out its own filter)."""
        cleaned = self.cleaned
        for name, value in cleaned.items():
            if name == without or name in {"from", "to", "match", "sort"}:
                continue
            queryset = self.filters[name].filter(queryset, value)
        return self._filter_dates(queryset, cleaned)

    def _filter_dates(self, qs, cleaned):
        start, end = cleaned.get("from"), cleaned.get("to")
        if cleaned.get("match") == "within":
            if start:
                qs = qs.filter(date_earliest__gte=start)
            if end:
                qs = qs.filter(date_latest__lte=end)
        else:
            # An uncertain date counts when any day it may be falls in the range.
            if start:
                qs = qs.filter(date_latest__gte=start)
            if end:
                qs = qs.filter(date_earliest__lte=end)
        return qs

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            self._qs = self.filter_queryset(self.queryset.all()).order_by(*self.ordering())
        return self._qs

    @property
    def active_sort(self) -> str:
        cleaned = self.cleaned
        if "sort" in cleaned and (cleaned["sort"] != "relevance" or self.searching):
            return cleaned["sort"]
        return "relevance" if self.searching else "date"

    @cached_property
    def query(self) -> ParsedQuery:
        """The search, parsed once for the list, every facet, the snippets and the sentence."""
        return parse(self.cleaned.get("q", ""))

    @property
    def searching(self) -> bool:
        return bool(self.cleaned.get("q", "").strip())

    def ordering(self):
        return SORTS[self.active_sort][1]

    def cache_key(self, *, without: str | None = None) -> tuple:
        """Describe the active filters in plain values, for keys of cached figures.

        The day is not needed here: `caching.cached` puts it in every key.
        """
        parts = []
        for name, value in sorted(self.cleaned.items()):
            if name in {without, "sort"}:
                continue
            parts.append((name, getattr(value, "slug", None) or str(value)))
        return tuple(parts)


# The parameters are `from` and `to` in URLs; Python cannot name attributes so.
DialogueFilterSet.base_filters["from"] = DialogueFilterSet.base_filters.pop("date_from")
DialogueFilterSet.base_filters["to"] = DialogueFilterSet.base_filters.pop("date_to")
DialogueFilterSet.base_filters["from"].field_name = "date_from"
DialogueFilterSet.base_filters["to"].field_name = "date_to"


class ParticipantFilterSet(django_filters.FilterSet):
    """Filters for the participant list, in HTML and in the API."""

    side = _choice(Side.choices, _("Side"))
    background = _choice(Background.choices, _("Background"))
    kind = _choice(ParticipantKind.choices, _("Kind"))

    class Meta:
        model = Participant
        fields = []
