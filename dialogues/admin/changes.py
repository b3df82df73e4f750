"""The archive-wide history pages of the admin: recent changes, and the diff of one version."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from reversion.models import Version

from ..history.diff import compare
from ..models import Conflict, Dialogue, Era, Participant, Source, SourceDisagreement
from .text_direction import typed_in_any_direction

# The records a reviewer patrols; their inline rows show inside each record's diff.
RECORD_KINDS = (Dialogue, Era, Source, Conflict, Participant, SourceDisagreement)
PAGE_SIZE = 50


def _kind_choices(user):
    return [
        (ContentType.objects.get_for_model(model).pk, model._meta.verbose_name_plural.capitalize())
        for model in RECORD_KINDS
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]


@typed_in_any_direction
class ChangesFilter(forms.Form):
    editor = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_staff=True).order_by("username"),
        required=False,
        empty_label="Any editor",
    )
    kind = forms.TypedChoiceField(coerce=int, required=False, label="Record kind")
    since = forms.DateField(
        required=False,
        label="From",
        help_text="A day as YYYY-MM-DD.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        required=False,
        label="To",
        help_text="A day as YYYY-MM-DD.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any kind"), *kinds]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError(gettext("“From” must be on or before “To”."))
        return cleaned


def recent_changes(request, model_admin):
    """List every change to the archive's records, newest first, each with its diff."""
    kinds = _kind_choices(request.user)
    if not kinds:
        raise PermissionDenied
    form = ChangesFilter(request.GET or None, kinds=kinds)
    versions = (
        Version.objects.filter(content_type_id__in=[pk for pk, _ in kinds])
        .select_related("revision", "revision__user", "content_type")
        .defer("serialized_data")
        .order_by("-revision__date_created", "-pk")
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["editor"]:
            versions = versions.filter(revision__user=data["editor"])
        if data["kind"]:
            versions = versions.filter(content_type_id=data["kind"])
        if data["since"]:
            versions = versions.filter(revision__date_created__date__gte=data["since"])
        if data["until"]:
            versions = versions.filter(revision__date_created__date__lte=data["until"])
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Recent changes",
        "form": form,
        "page": page,
        "querystring": params.urlencode(),
        "rows": [
            {
                "version": version,
                "kind": version.content_type.model_class()._meta.verbose_name,
                "diff_url": reverse("admin:dialogues_version_diff", args=[version.pk]),
            }
            for version in page.object_list
        ],
    }
    return render(request, "admin/dialogues/recent_changes.html", context)


def version_diff(request, model_admin, version_id):
    """Show what one version changed, against the one before it or any other (`?against=`)."""
    version = get_object_or_404(Version.objects.select_related("revision"), pk=version_id)
    model = version._model
    if not request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
        raise PermissionDenied
    history = list(
        Version.objects.get_for_object_reference(model, version.object_id)
        .select_related("revision", "revision__user")
        .order_by("pk")
    )
    numbers = {v.pk: n for n, v in enumerate(history, start=1)}
    older = None
    against = request.GET.get("against", "")
    if re.fullmatch(r"[0-9]{1,18}", against) and int(against) in numbers:
        older = next(v for v in history if v.pk == int(against))
    elif against:
        context_error = f"“{against}” is not a revision of this record; showing the one before."
    else:
        context_error = ""
    if older is None:
        earlier = [v for v in history if v.pk < version.pk]
        older = earlier[-1] if earlier else None
    else:
        context_error = ""
    if older is not None and older.pk > version.pk:
        older, version = version, older
    change_url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[version.object_id]
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Changes to {version.object_repr}",
        "version": version,
        "older": older,
        "number": numbers[version.pk],
        "older_number": numbers.get(older.pk) if older else None,
        "history": [(numbers[v.pk], v) for v in history],
        "diff": compare(older, version),
        "error": context_error,
        "history_url": change_url,
        "kind": model._meta.verbose_name,
        "before_label": f"Revision {numbers[older.pk]}" if older else "Before",
        "after_label": f"Revision {numbers[version.pk]}",
    }
    return render(request, "admin/dialogues/version_diff.html", context)
