"""Print the number of SQL queries each kind of page and API list runs.

    DJANGO_DEBUG=true python bench/query_counts.py

Runs against the configured database (load the archive first: `make load`).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from dialogues.models import Dialogue, Era, Participant, Source  # noqa: E402


def urls():
    dialogue = Dialogue.objects.order_by("date_earliest").first()
    era = Era.objects.order_by("position").first()
    participant = Participant.objects.order_by("name").first()
    source = Source.objects.first()
    return [
        "/",
        "/dialogues/",
        f"/dialogues/?era={era.slug}&outcome=walkout",
        "/dialogues/?q=settlers",
        f"/dialogues/?q=track&era={era.slug}&side=israeli",
        dialogue.get_absolute_url(),
        "/timeline/",
        era.get_absolute_url(),
        "/participants/",
        participant.get_absolute_url(),
        source.get_absolute_url(),
        "/about/",
        "/dialogues/export.csv",
        "/api/dialogues/",
        f"/api/dialogues/{dialogue.slug}/",
        "/api/eras/",
        "/api/participants/",
        "/api/sources/",
    ]


def main():
    client = Client(HTTP_HOST="localhost")
    print(f"{'queries':>7}  {'status':>6}  url")
    for url in urls():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        print(f"{len(ctx.captured_queries):>7}  {response.status_code:>6}  {url}")


if __name__ == "__main__":
    main()
