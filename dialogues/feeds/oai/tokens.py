"""Resumption tokens: a list's query and the position after a page's last record, signed and
valid for `TOKEN_LIFETIME`."""

from __future__ import annotations

import datetime

from django.core import signing

from .. import changes
from .protocol import OAIError

TOKEN_LIFETIME = datetime.timedelta(hours=24)
TOKEN_SALT = "dialogues.feeds.oai.resumption"


def make_token(state: dict) -> str:
    return signing.dumps(state, salt=TOKEN_SALT, compress=True)


def read_token(token: str) -> dict:
    try:
        state = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_LIFETIME)
    except signing.SignatureExpired:
        raise OAIError("badResumptionToken", "This resumptionToken has expired.") from None
    except signing.BadSignature:
        raise OAIError(
            "badResumptionToken", "This resumptionToken is not one this repository issued."
        ) from None
    return state


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def _moment_or_none(text):
    return datetime.datetime.fromisoformat(text) if text is not None else None


def page_state(verb, prefix, selection, position, cursor, size) -> dict:
    return {
        "verb": verb,
        "prefix": prefix,
        "start": _iso(selection.start),
        "end": _iso(selection.end),
        "era": selection.era_id,
        "after": [_iso(position.stamp), position.source, position.pk],
        "cursor": cursor,
        "size": size,
    }


def resumed(state: dict) -> tuple[str, changes.Selection, changes.Position, int, int]:
    """The metadata prefix, selection, position, cursor and list size a token's state holds."""
    selection = changes.Selection(
        start=_moment_or_none(state["start"]),
        end=_moment_or_none(state["end"]),
        era_id=state["era"],
    )
    stamp, source, pk = state["after"]
    after = changes.Position(datetime.datetime.fromisoformat(stamp), source, pk)
    return state["prefix"], selection, after, state["cursor"], state["size"]
