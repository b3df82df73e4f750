import datetime

import pytest

from dialogues.feeds import changes


@pytest.fixture
def settled(monkeypatch):
    """List changes at once: tests read the feed right after saving."""
    monkeypatch.setattr(changes, "SETTLE", datetime.timedelta(0))
