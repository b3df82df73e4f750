"""Publishing in the admin: publish, unpublish and withdraw dialogues; merge two participants.

Each action is offered only to users holding its permission (see migration 0009): Editors see
none of them, Publishers see all. The status fields are never edited in the form, only through
these actions, so an editor cannot publish by ticking a box.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import editorial
from .. import publishing_rights as rights
from ..models import Dialogue, Participant, Status
from . import guard
from .text_direction import typed_in_any_direction

STATUS_READONLY = ["status", "published_at", "withdrawn_at", "withdrawal_reason", "replaced_by"]
PUBLISH, WITHDRAW, MERGE = (
    "dialogues.publish_dialogue",
    "dialogues.withdraw_dialogue",
    "dialogues.merge_participants",
)


@typed_in_any_direction
class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Public reason",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Shown to readers at the record's address, e.g. “duplicate of another record”.",
        error_messages={"required": "Give the reason readers will see."},
    )
    replaced_by = forms.ModelChoiceField(
        label="Replaced by",
        queryset=Dialogue.objects.public(),
        required=False,
        help_text="Optional: the published record readers are sent to instead.",
    )

    def __init__(self, *args, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaced_by"].queryset = (
            Dialogue.objects.public().exclude(pk__in=exclude).order_by("title")
        )


class PublishingAdminMixin:
    """Status in the list, the publishing actions, and their buttons on the change page."""

    change_form_template = "admin/dialogues/dialogue/change_form.html"
    actions = ["publish_selected", "unpublish_selected", "withdraw_selected"]

    def has_publish_permission(self, request):
        return rights.may_decide(request.user)

    def has_withdraw_permission(self, request):
        return request.user.has_perm(WITHDRAW) and rights.may_decide(request.user)

    def has_delete_permission(self, request, obj=None):
        # Deleting a record takes it from readers: a publisher's call as well as a deleter's.
        return super().has_delete_permission(request, obj) and rights.may_decide(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), *STATUS_READONLY]
        if not self.has_publish_permission(request):
            # An embargo decides when a record goes public: a publisher's call.
            fields.append("embargo_until")
        return fields

    def delete_view(self, request, object_id, extra_context=None):
        if not self.has_delete_permission(request):
            return guard.refused(
                request,
                self.admin_site,
                "Only a superuser may delete a dialogue: it takes the record from readers and "
                "from the history's public pages. A publisher may withdraw it instead. "
                "Nothing was deleted.",
            )
        return super().delete_view(request, object_id, extra_context)

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="dialogues_dialogue_publish",
            ),
            path(
                "<path:object_id>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="dialogues_dialogue_withdraw",
            ),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_publish": self.has_publish_permission(request),
            "can_withdraw": self.has_withdraw_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- actions on the list -------------------------------------------------------------

    @admin.action(description=_("Publish the selected dialogues"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        for dialogue in queryset:
            editorial.publish(dialogue, user=request.user)
        self.message_user(
            request, gettext("Published %(n)s dialogue(s).") % {"n": queryset.count()}
        )

    @admin.action(
        description=_("Unpublish the selected dialogues (back to draft)"), permissions=["publish"]
    )
    def unpublish_selected(self, request, queryset):
        for dialogue in queryset:
            editorial.unpublish(dialogue, user=request.user)
        self.message_user(
            request, gettext("Returned %(n)s dialogue(s) to draft.") % {"n": queryset.count()}
        )

    @admin.action(description=_("Withdraw the selected dialogues…"), permissions=["withdraw"])
    def withdraw_selected(self, request, queryset):
        return self._withdraw(request, list(queryset), action=True)

    # --- one record's buttons ------------------------------------------------------------

    def publish_view(self, request, object_id):
        if not self.has_publish_permission(request):
            return guard.refused(
                request, self.admin_site, rights.refusal(["status"], gettext("Publishing a record"))
            )
        dialogue = get_object_or_404(Dialogue, pk=object_id)
        if request.method == "POST":
            if request.POST.get("to") == "draft":
                editorial.unpublish(dialogue, user=request.user)
                self.message_user(
                    request, gettext("“%(dialogue)s” is a draft again.") % {"dialogue": dialogue}
                )
            else:
                editorial.publish(dialogue, user=request.user)
                self.message_user(
                    request, gettext("Published “%(dialogue)s”.") % {"dialogue": dialogue}
                )
            return HttpResponseRedirect(self._change_url(dialogue))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Publish “%(dialogue)s”") % {"dialogue": dialogue},
            "dialogue": dialogue,
            "opts": self.model._meta,
            "published": dialogue.status == Status.PUBLISHED,
        }
        return TemplateResponse(request, "admin/dialogues/dialogue/publish.html", context)

    def withdraw_view(self, request, object_id):
        if not self.has_withdraw_permission(request):
            return guard.refused(
                request,
                self.admin_site,
                rights.refusal(["status"], gettext("Withdrawing a record")),
            )
        return self._withdraw(request, [get_object_or_404(Dialogue, pk=object_id)])

    def _withdraw(self, request, dialogues, *, action=False):
        ids = [d.pk for d in dialogues]
        form = WithdrawForm(exclude=ids)
        if request.method == "POST" and "apply" in request.POST:
            form = WithdrawForm(request.POST, exclude=ids)
            if form.is_valid():
                for dialogue in dialogues:
                    editorial.withdraw(
                        dialogue,
                        user=request.user,
                        reason=form.cleaned_data["reason"],
                        replaced_by=form.cleaned_data["replaced_by"],
                    )
                self.message_user(
                    request, gettext("Withdrew %(n)s dialogue(s).") % {"n": len(dialogues)}
                )
                if action:
                    return None
                return HttpResponseRedirect(self._change_url(dialogues[0]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Withdraw dialogues",
            "dialogues": dialogues,
            "form": form,
            "opts": self.model._meta,
            "action": action,
        }
        return TemplateResponse(request, "admin/dialogues/dialogue/withdraw.html", context)

    def _change_url(self, dialogue):
        return reverse("admin:dialogues_dialogue_change", args=[dialogue.pk])


@typed_in_any_direction
class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Participant.objects.none(),
        widget=forms.RadioSelect,
        label="Keep",
        error_messages={"required": "Choose the participant to keep."},
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = Participant.objects.filter(
            pk__in=[p.pk for p in participants]
        )


class MergeAdminMixin:
    """The participants' "merge" action: two selected, one kept, the other folded into it."""

    actions = ["merge_selected"]

    def has_merge_permission(self, request):
        # A merge moves withheld participations between people: a publisher's act too.
        return request.user.has_perm(MERGE) and rights.may_decide(request.user)

    @admin.action(description=_("Merge the two selected participants…"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        participants = list(queryset.order_by("name", "pk"))
        if len(participants) != 2:
            self.message_user(
                request, gettext("Select exactly two participants to merge."), level=messages.ERROR
            )
            return None
        form = MergeForm(participants=participants)
        if "apply" in request.POST:
            form = MergeForm(request.POST, participants=participants)
            if form.is_valid():
                keep = form.cleaned_data["keep"]
                (lose,) = [p for p in participants if p.pk != keep.pk]
                lose_name = lose.name
                editorial.merge_participants(keep, lose, user=request.user)
                self.message_user(
                    request,
                    gettext("Merged “%(lose)s” into “%(keep)s”.")
                    % {"lose": lose_name, "keep": keep},
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Merge participants"),
            "participants": participants,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/dialogues/participant/merge.html", context)
