"""An OAI-PMH 2.0 provider at `/oai/`: the public dialogues in Dublin Core, for aggregators.

Protocol: https://www.openarchives.org/OAI/openarchivesprotocol.html. All six verbs, answered
from the one list of public changes (`changes`), so a record's datestamp is the moment of its
last public change, the same as in the changes feed, and `from`/`until` select by it.

- Identifiers are `oai:<host>:dialogue/<id>`: the database id, which a rename does not change.
- Sets: `era` (every dialogue) and `era:<slug>` per era.
- Datestamps to the second (`YYYY-MM-DDThh:mm:ssZ`); `from` and `until` also take a day, and
  must then both be days. `until` includes its whole second (or day).
- Deleted records are `persistent`: a withdrawn dialogue readers saw, and a public one
  unpublished back to a draft or deleted (a `Removal`), stay listed with `status="deleted"`.
- Lists come in pages of `OAI_PAGE_SIZE` (100) with a resumption token: the query and the
  position after the page's last record, signed (a tampered token is refused) and valid for
  `TOKEN_LIFETIME`. The first page fixes the list's end at its own moment, so that records
  changed during a harvest are not met twice; the next incremental harvest picks them up.
- Records never public (drafts, embargoed ones, withdrawals nobody saw) do not exist here:
  `idDoesNotExist`, and they are in no list. Withheld names are left out of the metadata.

The package: `protocol.py` holds the verbs, the arguments each takes, the error codes and
datestamps; `tokens.py` the resumption tokens; `dublin_core.py` the `oai_dc` metadata of a
record; `views.py` the view (`oai`) and the `Responder` that answers each verb.
"""

from .protocol import DC, OAI, OAI_DC, PAGE_SIZE, REPOSITORY_NAME
from .views import oai

__all__ = ["DC", "OAI", "OAI_DC", "PAGE_SIZE", "REPOSITORY_NAME", "oai"]
