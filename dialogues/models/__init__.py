"""The archive's records: sources, eras, conflicts, dialogues and who took part in them.

Every model has a natural key (its slug, or its parent's slug and its own identifying fields),
so the JSON fixtures load into any database, in any order, and loading them again updates the
same rows instead of adding new ones.
"""

import reversion

from .base import SlugManager, Timestamped, UncertainDate  # noqa: F401
from .dialogue import (  # noqa: F401
    Citation,
    CitationManager,
    CitationQuerySet,
    Dialogue,
    DialogueManager,
    DialogueQuerySet,
    Outcome,
    OutcomeManager,
    Participation,
    ParticipationManager,
    citation_key,
)
from .disagreements import (  # noqa: F401
    DisagreementCitation,
    DisagreementCitationManager,
    SourceDisagreement,
    SourceDisagreementManager,
    SourceDisagreementQuerySet,
)
from .disclosure import (  # noqa: F401
    WITHHELD_NAME,
    ParticipationQuerySet,
    withheld_q,
    withheld_sql,
)
from .evidence import Basis  # noqa: F401, E402
from .fixtures import FixtureRecord  # noqa: F401
from .identifiers import SCHEMES, ExternalId  # noqa: F401, E402
from .imports import ImportBatch, ImportedRecord  # noqa: F401
from .names import NameKind, NameVariant  # noqa: F401, E402
from .organisations import (  # noqa: F401, E402
    Affiliation,
    AffiliationCitation,
    Organisation,
    OrganisationCitation,
    OrganisationKind,
    RoleKind,
)
from .places import DialoguePlace, Place, places_in_words  # noqa: F401, E402
from .publishing import KeepsPastSlugs, PastSlug, Publishable, Status, public_q  # noqa: F401
from .reasons import RevisionReason  # noqa: F401
from .records import (  # noqa: F401
    Conflict,
    Era,
    EraManager,
    EraQuerySet,
    Participant,
    ParticipantManager,
    ParticipantQuerySet,
    Source,
)
from .removals import Removal  # noqa: F401
from .series import DialogueLink, LinkKind, Series, SeriesKind, SeriesLink, SeriesMembership  # noqa: F401, E402
from .table import Capacity, Level, TalksStatus, implied_level  # noqa: F401, E402
from .translations import add_translations
from .versioning import StaleRecord, Versioned  # noqa: F401, E402
from .vocabulary import (  # noqa: F401
    EXCERPT_MAX_WORDS,
    Background,
    OutcomeKind,
    ParticipantKind,
    Role,
    Side,
    Track,
    VenueKind,
)
from .withheld_pairs import WithheldPair  # noqa: F401

# The records' words that the archive translates into Hebrew and Arabic, each beside its English
# (see `translations`). A citation's excerpt keeps its own words: its translation is shown
# beside it, never in its place.
add_translations(Dialogue, "title", "summary", "date_note")
add_translations(Era, "name", "summary", "boundary_note")
add_translations(Participation, "note")
add_translations(Participant, "bio")
add_translations(Organisation, "description")
add_translations(Series, "name", "description")
add_translations(Citation, "excerpt")

# Every archive record keeps its history. A dialogue follows its participations, outcomes and
# citations, and a disagreement its sides, so each revision holds the record with its rows as
# they were. Registered here, before the admin registers them, so that loads and scripts
# record the same follows as the admin does.
reversion.register(
    Dialogue,
    follow=[
        "participations",
        "outcomes",
        "citations",
        "places",
        "memberships",
        "links_out",
        "external_ids",
    ],
)
for _model in (Participation, Citation, DisagreementCitation, Era, Source):
    reversion.register(_model)
reversion.register(Outcome, follow=["external_ids"])
for _model in (
    *(NameVariant, ExternalId, OrganisationCitation, AffiliationCitation, DialoguePlace),
    *(SeriesMembership, DialogueLink, SeriesLink),
):
    reversion.register(_model)
reversion.register(Conflict, follow=["external_ids"])
reversion.register(Participant, follow=["names", "external_ids"])
reversion.register(Organisation, follow=["citations", "names", "external_ids"])
reversion.register(Affiliation, follow=["citations"])
reversion.register(Place, follow=["names", "external_ids"])
reversion.register(Series, follow=["links_out"])
reversion.register(SourceDisagreement, follow=["citations"])
