"""Serve the archive's own content from a throwaway database, for screenshots and page weights.

    with serve_archive() as site:
        site.url("/")            # http://127.0.0.1:PORT/
        site.pages               # [(kind, path), ...]: one page of each kind

The fixtures are loaded into a temporary SQLite file, so the developer's database (SQLite or
PostgreSQL) is never touched, and the server runs in a thread on a free port. An editor account
(staff, in the Editors group) is made so the admin can be shown too: EDITOR and PASSWORD.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
EDITOR = "screenshot-editor"
PASSWORD = "a long screenshot password"


@dataclass
class Site:
    base: str
    pages: list[tuple[str, str]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


def _setup_django(database: Path) -> None:
    # Set before Django reads its settings: the temporary database, and development mode so
    # that static files are served from their folders without collectstatic.
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_DEBUG"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _load_archive() -> None:
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_initial_data", verbosity=0)
    editor = User.objects.create_user(EDITOR, password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))


def page_kinds() -> list[tuple[str, str]]:
    """One address for each kind of page, choosing the fullest record of each kind."""
    from django.db.models import Count
    from django.urls import reverse

    from dialogues.models import Dialogue, Era, Participant, Source

    record = Dialogue.objects.annotate(n=Count("participations")).order_by("-n", "pk").first()
    era = Era.objects.annotate(n=Count("dialogues")).order_by("-n", "position").first()
    participant = (
        Participant.objects.annotate(n=Count("participations")).order_by("-n", "name").first()
    )
    source = Source.objects.annotate(n=Count("citations")).order_by("-n", "pk").first()
    outcome = record.outcomes.first()
    filters = {"era": record.era.slug}
    if outcome:
        filters["outcome"] = outcome.kind
    # A word of the record's own title is sure to be found.
    word = max(record.title.split(), key=len).strip(",.:;()“”\"'")
    dialogues = reverse("dialogues:dialogue_list")
    return [
        ("home", reverse("dialogues:home")),
        ("dialogues", dialogues),
        ("dialogues-filtered", f"{dialogues}?{urlencode(filters)}"),
        ("dialogues-search", f"{dialogues}?{urlencode({'q': word})}"),
        ("dialogues-no-results", f"{dialogues}?{urlencode({'q': 'xylophone'})}"),
        ("record", record.get_absolute_url()),
        ("timeline", reverse("dialogues:timeline")),
        ("places", reverse("dialogues:place_list")),
        ("network", reverse("dialogues:network")),
        ("era", era.get_absolute_url()),
        ("participants", reverse("dialogues:participant_list")),
        ("participant", participant.get_absolute_url()),
        ("source", source.get_absolute_url()),
        ("about", reverse("dialogues:about")),
        ("admin-dialogue-change", reverse("admin:dialogues_dialogue_change", args=[record.pk])),
    ]


@contextlib.contextmanager
def serve_archive() -> Iterator[Site]:
    with tempfile.TemporaryDirectory(prefix="trackii-") as folder:
        _setup_django(Path(folder) / "archive.sqlite3")
        _load_archive()

        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
        from django.core.wsgi import get_wsgi_application

        class QuietHandler(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
        server.set_app(get_wsgi_application())
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            host, port = server.server_address[:2]
            yield Site(base=f"http://{host}:{port}", pages=page_kinds())
        finally:
            server.shutdown()
            server.server_close()
            from django.db import connections

            connections.close_all()
