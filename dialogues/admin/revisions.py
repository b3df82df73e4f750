"""Every admin save is a revision with a reason, and refuses to overwrite a newer save.

`HistoryAdmin` is the base of every archive record's admin page. Its form asks for the reason,
which becomes the revision's comment, and carries the record's version number hidden, so a
save made from a stale copy is refused with the other editor's changes shown beside the
editor's own input (see `models.versioning`).
"""

from __future__ import annotations

from contextlib import contextmanager

import reversion
from django import forms
from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reversion.admin import VersionAdmin
from reversion.models import Version

from .. import publishing_rights as rights
from ..history.diff import compare
from ..history.records import version_at_number, versions_of
from ..models import RevisionReason, StaleRecord
from . import guard
from .text_direction import TypedInAnyDirection
from .translations import TranslationInputs

REASON_HELP = gettext_lazy(
    "Public: shown to readers in the record's history. Say what you changed and on what "
    "evidence, e.g. “corrected date from ¶7”; never name a participant whose name is withheld."
)
NOTE_HELP = gettext_lazy(
    "Not public: seen only by editors, in this record's admin history (who asked, what is "
    "left to check, names that must not be published)."
)
REVERT_PERMISSION = "dialogues.revert_dialogue"
RECOVER_REFUSED = gettext_lazy(
    "Only a publisher may recover a deleted record: it comes back as it was, published or "
    "withdrawn included, so recovering decides what readers see. Nothing was recovered."
)


def can_revert(user) -> bool:
    """Publishers revert; the permission is named for dialogues but covers every record."""
    return user.is_active and (user.is_superuser or user.has_perm(REVERT_PERMISSION))


class RecordForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=gettext_lazy("Reason for readers (public)"),
        max_length=200,
        help_text=REASON_HELP,
        error_messages={
            "required": gettext_lazy(
                "Give a short reason for this change, e.g. “corrected date from ¶7”. "
                "Nothing was saved."
            )
        },
        widget=forms.TextInput(attrs={"size": 60}),
    )
    internal_note = forms.CharField(
        label=gettext_lazy("Internal note (editors only)"),
        required=False,
        max_length=2000,
        help_text=NOTE_HELP,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )
    record_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    # Set by the admin for a revert, whose form is drawn from an older copy of the record.
    live_version_override: int | None = None

    def live_version(self) -> int | None:
        if self.instance.pk is None:
            return None
        if self.live_version_override is not None:
            return self.live_version_override
        rows = type(self.instance)._base_manager.filter(pk=self.instance.pk)
        return rows.values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        live = self.live_version()
        started = cleaned.get("record_version")
        self.conflict = None
        if live is not None and started != live:
            self.conflict = (started, live)
            # Redraw the form at the number now saved, so saving it again (after merging)
            # is accepted, while everything else the editor typed stays as typed.
            data = self.data.copy()
            data[self.add_prefix("record_version")] = str(live)
            self.data = data
            raise forms.ValidationError(
                _(
                    "Another editor saved this record while you were editing it, so your "
                    "changes were not saved. Their changes are shown below beside yours, and "
                    "everything you typed is kept. Merge what you want to keep and save again."
                ),
                code="stale",
            )
        return cleaned


class HistoryAdmin(TranslationInputs, TypedInAnyDirection, VersionAdmin):
    form = RecordForm
    object_history_template = "admin/dialogues/object_history.html"
    change_form_template = "admin/dialogues/record_change_form.html"
    history_latest_first = True

    # --- the form -------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        own = ("change_reason", "internal_note", "record_version")
        fieldsets = [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in own]})
            for name, opts in super().get_fieldsets(request, obj)
        ]
        return [*fieldsets, (_("Reason for this change"), {"fields": list(own)})]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        revert = getattr(request, "_history_revert", None)
        current = revert[1] if revert else (obj.version if obj is not None else None)
        attrs = {"live_version_override": revert[1] if revert else None}
        form = type(form.__name__, (form,), attrs)
        form.base_fields["record_version"].initial = current
        return form

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data["change_reason"].strip()
        revert = getattr(request, "_history_revert", None)
        if revert:
            target, before = revert
            # Reverting wrote the old row back, version number and all; restore the live
            # number so the check below and the next editor see the count go on.
            type(obj)._base_manager.filter(pk=obj.pk).update(version=before)
            number = _number_of(target)
            reason = f"Reverted to revision {number}: {reason}"
        note = form.cleaned_data.get("internal_note", "").strip()
        # Editors read both in the admin's history; readers only the reason (RevisionReason).
        request._history_comment = f"{reason}\nInternal note: {note}" if note else reason
        request._history_reason = (reason, note)
        if change:
            obj.save(expected_version=form.cleaned_data["record_version"])
        else:
            obj.save()

    @contextmanager
    def create_revision(self, request):
        with super().create_revision(request):
            yield
            # Runs after reversion sets its own comment, so the editor's reason wins.
            if getattr(request, "_history_comment", None):
                reversion.set_comment(request._history_comment)
            if getattr(request, "_history_reason", None):
                public, internal = request._history_reason
                reversion.add_meta(RevisionReason, public=public, internal=internal)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleRecord:
            # Another save slipped in between this form's check and its UPDATE. Nothing was
            # written (the transaction rolled back); drawing the form again shows the conflict.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        conflict = getattr(form, "conflict", None)
        if conflict and obj is not None:
            context["conflict"] = _conflict_context(form, obj, *conflict)
        context["can_revert"] = can_revert(request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        # Django ignores an action the user may not run (or answers “No action selected”);
        # say why instead.
        name = request.POST.get("action") if request.method == "POST" else None
        if name and name not in self.get_actions(request):
            known = {action: text for _function, action, text in self._get_base_actions()}
            if name in known:
                self.message_user(
                    request,
                    _(
                        "You may not run “%(action)s”: it needs a permission you do not have "
                        "(publishing is a publisher's). Nothing was changed."
                    )
                    % {"action": known[name]},
                    messages.ERROR,
                )
        return super().changelist_view(request, extra_context)

    # --- history and revert ---------------------------------------------------------------

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not can_revert(request.user):
            return guard.refused(
                request,
                self.admin_site,
                _(
                    "Only a publisher may revert a record to an earlier revision: reverting "
                    "can change what readers see. Nothing was changed."
                ),
            )
        target = Version.objects.filter(pk=version_id).first()
        if target is not None and not rights.may_decide(request.user):
            changed = guard.revision_changes(target)
            if changed:
                return guard.refused(
                    request,
                    self.admin_site,
                    rights.refusal(changed, _("Reverting this revision")),
                )
        before = self.model._base_manager.filter(pk=object_id).values_list("version", flat=True)
        if target is not None and before:
            request._history_revert = (target, before[0])
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        # A recovered record comes back as its version has it, published or not, with the
        # rows its revision holds: a publisher's decision, whatever the record.
        if not rights.may_decide(request.user):
            return guard.refused(request, self.admin_site, RECOVER_REFUSED)
        return super().recover_view(request, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not rights.may_decide(request.user):
            return guard.refused(request, self.admin_site, RECOVER_REFUSED)
        return super().recoverlist_view(request, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        context = {"can_revert": can_revert(request.user)}
        context.update(extra_context or {})
        response = super().history_view(request, object_id, context)
        if not hasattr(response, "context_data"):  # no such record: the admin redirects
            return response
        actions = response.context_data.get("action_list", [])
        numbers = _numbers_for(actions)
        for action in actions:
            version = action["version"] = _version_from_url(action)
            action["number"] = numbers.get(version)
            action["diff_url"] = reverse("admin:dialogues_version_diff", args=[version])
        return response


def _version_from_url(action) -> int:
    # reversion's action list names each version only in its revert address.
    return int(action["url"].rstrip("/").rsplit("/", 1)[1])


def _numbers_for(actions) -> dict[int, int]:
    ids = sorted(_version_from_url(a) for a in actions)
    return {pk: n for n, pk in enumerate(ids, start=1)}


def _number_of(version: Version) -> int:
    obj_versions = Version.objects.get_for_object_reference(version._model, version.object_id)
    return obj_versions.filter(pk__lte=version.pk).count()


def _shown_input(form, name) -> str:
    value = form[name].value()
    if value in (None, ""):
        return _("(empty)")
    for choice, label in getattr(form.fields[name], "choices", ()):
        if str(choice) == str(value):
            return str(label)
    return str(value)


def _conflict_context(form, obj, started, live) -> dict:
    """Show what the other editor changed, each field beside the value now saved and yours."""
    older = version_at_number(obj, started) if started else None
    newer = version_at_number(obj, live)
    if newer is None:
        versions = versions_of(obj)
        newer = versions[-1] if versions else None
    diff = compare(older, newer) if newer is not None else None
    yours = {}
    for change in diff.fields if diff else []:
        if change.name in form.fields:
            yours[change.name] = _shown_input(form, change.name)
    return {"started": started, "live": live, "diff": diff, "yours": yours}
