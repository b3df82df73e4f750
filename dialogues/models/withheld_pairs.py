"""Names withheld in a dialogue whose participation has since been deleted.

A participation withheld and then deleted leaves nothing in its table, so adding the same person
back to that dialogue, named, in a later save or import would show a withheld name without a
publisher. When a withheld participation is deleted (by the admin, an import, a revert or a
cascade) its pair of dialogue and participant is kept here with its flags; when one not withheld
is deleted, the pair is forgotten, as the last row said the name could be shown. Plain numbers,
not foreign keys: a deleted dialogue may be recovered with the same key.

`former_state(dialogue_id, participant_id)` is what every path that adds a participation
compares the new row with (`publishing_rights.participation_reveals`), in place of the row the
same save or import removes.
"""

from __future__ import annotations

from django.db import models


class WithheldPair(models.Model):
    dialogue_id = models.PositiveBigIntegerField()
    participant_id = models.PositiveBigIntegerField()
    withheld_until = models.DateField(null=True, blank=True)
    show_side = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue_id", "participant_id"], name="one_withheld_pair"
            )
        ]

    def __str__(self):
        return f"participant {self.participant_id} withheld in dialogue {self.dialogue_id}"

    def flags(self) -> dict:
        """The flags of the deleted row, as `participation_reveals` reads them."""
        return {
            "withheld": True,
            "withheld_until": self.withheld_until,
            "show_side": self.show_side,
        }


def former_state(dialogue_id, participant_id) -> dict | None:
    """The flags of the pair's last deleted row if it withheld the name, else None."""
    if dialogue_id is None or participant_id is None:
        return None
    pair = WithheldPair.objects.filter(
        dialogue_id=dialogue_id, participant_id=participant_id
    ).first()
    return pair.flags() if pair is not None else None


def former_states(dialogue_ids) -> dict[tuple[int, int], dict]:
    """`former_state` for every pair in the dialogues `dialogue_ids`, in one query."""
    return {
        (pair.dialogue_id, pair.participant_id): pair.flags()
        for pair in WithheldPair.objects.filter(dialogue_id__in=list(dialogue_ids))
    }


def _keep_pair(sender, instance, using=None, **kwargs):
    """Keep the pair of a deleted withheld participation; forget that of a named one.

    Called by `dialogues.writes` after every deletion of a participation."""
    pairs = WithheldPair.objects.using(using)
    key = {"dialogue_id": instance.dialogue_id, "participant_id": instance.participant_id}
    if instance.withheld:
        pairs.update_or_create(
            **key,
            defaults={"withheld_until": instance.withheld_until, "show_side": instance.show_side},
        )
    else:
        pairs.filter(**key).delete()
