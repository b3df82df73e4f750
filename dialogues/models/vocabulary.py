"""The archive's fixed vocabularies, and the longest excerpt it quotes."""

from __future__ import annotations

from django.db import models

EXCERPT_MAX_WORDS = 30


# --- Vocabularies -------------------------------------------------------------------------


class Side(models.TextChoices):
    ISRAELI = "israeli", "Israeli"
    PALESTINIAN = "palestinian", "Palestinian"
    THIRD_PARTY = "third_party", "Third party / international"


class Background(models.TextChoices):
    ACADEMIC = "academic", "Academic"
    JOURNALIST = "journalist", "Journalist"
    FORMER_DIPLOMAT = "former_diplomat", "Former diplomat"
    SECURITY_OFFICIAL = "security_official", "Security official"
    POLITICIAN = "politician", "Politician"
    BUSINESSPERSON = "businessperson", "Businessperson"
    CIVIL_SOCIETY = "civil_society", "Civil society"
    ORGANISER = "organiser", "Organiser"


class ParticipantKind(models.TextChoices):
    PERSON = "person", "Person"
    GROUP = "group", "Group or organisation"


class Role(models.TextChoices):
    ORGANISER = "organiser", "Organiser or convenor"
    PARTICIPANT = "participant", "Participant"
    OBSERVER = "observer", "Observer"
    # Talks that were called for but, as far as the sources say, not (yet) held.
    PROPOSER = "proposer", "Proposer"
    PROPOSED = "proposed", "Proposed participant"
    # Weaker words, for sources that say less than a proposal or a meeting.
    SUGGESTED = "suggested", "Suggested the possibility of talks"
    INTERESTED = "interested", "Expressed interest in talks"
    POSSIBLE = "possible", "Named as a possible participant"
    AUTHOR = "author", "Wrote the source that reports it"


class Track(models.TextChoices):
    TRACK_II = "track_ii", "Track II"
    TRACK_II_TO_I = "track_ii_to_i", "Track II that became official Track I"
    PROPOSED = "proposed", "Proposed Track II talks"
    # When a source only wonders about talks, or does not say what kind of talks they were.
    CONSIDERED = "considered", "Informal talks considered, not proposed"
    NOT_STATED = "not_stated", "Not stated in the sources"


class VenueKind(models.TextChoices):
    NOT_STATED = "not_stated", "Not stated in the sources"
    HOTEL = "hotel", "Hotel"
    THINK_TANK = "think_tank", "Think tank or institute"
    HOTEL_OR_THINK_TANK = "hotel_or_think_tank", "Hotel or think-tank meeting room"
    UNIVERSITY = "university", "University"
    GOVERNMENT = "government", "Government premises"
    PRIVATE = "private", "Private residence"
    ONLINE = "online", "Online"


class OutcomeKind(models.TextChoices):
    BECAME_OFFICIAL = "became_official", "Became official (Track I)"
    ADVANCED_PROCESS = "advanced_process", "Helped advance the peace process"
    PROPOSAL = "proposal", "Non-binding proposal"
    UNDERSTANDING = "understanding", "Improved mutual understanding"
    STALLED = "stalled", "Stalled or unproductive"
    WALKOUT = "walkout", "Walkout"
