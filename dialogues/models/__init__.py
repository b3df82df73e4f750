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
from .fixtures import FixtureRecord  # noqa: F401
from .imports import ImportBatch, ImportedRecord  # noqa: F401
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

# Every archive record keeps its history. A dialogue follows its participations, outcomes and
# citations, and a disagreement its sides, so each revision holds the record with its rows as
# they were. Registered here, before the admin registers them, so that loads and scripts
# record the same follows as the admin does.
reversion.register(Dialogue, follow=["participations", "outcomes", "citations"])
for _model in (Participation, Outcome, Citation, DisagreementCitation, Era, Source, Conflict):
    reversion.register(_model)
reversion.register(Participant)
reversion.register(SourceDisagreement, follow=["citations"])
