"""The archive's records: sources, eras, conflicts, dialogues and who took part in them.

Every model has a natural key (its slug, or its parent's slug and its own identifying fields),
so the JSON fixtures load into any database, in any order, and loading them again updates the
same rows instead of adding new ones.
"""

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
from .publishing import KeepsPastSlugs, PastSlug, Publishable, Status, public_q  # noqa: F401
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
