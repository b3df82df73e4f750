"""The archive's fixed vocabularies, and the longest excerpt it quotes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

EXCERPT_MAX_WORDS = 30


# --- Vocabularies -------------------------------------------------------------------------


class Side(models.TextChoices):
    ISRAELI = "israeli", _("Israeli")
    PALESTINIAN = "palestinian", _("Palestinian")
    THIRD_PARTY = "third_party", _("Third party / international")


class Background(models.TextChoices):
    ACADEMIC = "academic", _("Academic")
    JOURNALIST = "journalist", _("Journalist")
    FORMER_DIPLOMAT = "former_diplomat", _("Former diplomat")
    SECURITY_OFFICIAL = "security_official", _("Security official")
    POLITICIAN = "politician", _("Politician")
    BUSINESSPERSON = "businessperson", _("Businessperson")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    ORGANISER = "organiser", _("Organiser")


class ParticipantKind(models.TextChoices):
    PERSON = "person", _("Person")
    GROUP = "group", _("Group or organisation")


class Role(models.TextChoices):
    ORGANISER = "organiser", _("Organiser or convenor")
    PARTICIPANT = "participant", _("Participant")
    OBSERVER = "observer", _("Observer")
    # Talks that were called for but, as far as the sources say, not (yet) held.
    PROPOSER = "proposer", _("Proposer")
    PROPOSED = "proposed", _("Proposed participant")
    # Weaker words, for sources that say less than a proposal or a meeting.
    SUGGESTED = "suggested", _("Suggested the possibility of talks")
    INTERESTED = "interested", _("Expressed interest in talks")
    POSSIBLE = "possible", _("Named as a possible participant")
    AUTHOR = "author", _("Wrote the source that reports it")


class Track(models.TextChoices):
    TRACK_II = "track_ii", _("Track II")
    TRACK_II_TO_I = "track_ii_to_i", _("Track II that became official Track I")
    PROPOSED = "proposed", _("Proposed Track II talks")
    # When a source only wonders about talks, or does not say what kind of talks they were.
    CONSIDERED = "considered", _("Informal talks considered, not proposed")
    NOT_STATED = "not_stated", _("Not stated in the sources")


class VenueKind(models.TextChoices):
    NOT_STATED = "not_stated", _("Not stated in the sources")
    HOTEL = "hotel", _("Hotel")
    THINK_TANK = "think_tank", _("Think tank or institute")
    HOTEL_OR_THINK_TANK = "hotel_or_think_tank", _("Hotel or think-tank meeting room")
    UNIVERSITY = "university", _("University")
    GOVERNMENT = "government", _("Government premises")
    PRIVATE = "private", _("Private residence")
    ONLINE = "online", _("Online")


class OutcomeKind(models.TextChoices):
    BECAME_OFFICIAL = "became_official", _("Became official (Track I)")
    ADVANCED_PROCESS = "advanced_process", _("Helped advance the peace process")
    PROPOSAL = "proposal", _("Non-binding proposal")
    UNDERSTANDING = "understanding", _("Improved mutual understanding")
    STALLED = "stalled", _("Stalled or unproductive")
    WALKOUT = "walkout", _("Walkout")
