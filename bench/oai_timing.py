"""Time an OAI-PMH harvest and a changes-feed read on a large archive, in-process.

    DATABASE_URL=sqlite:////tmp/oai100k.sqlite3 DJANGO_DEBUG=true \\
        python -m bench.oai_timing [--pages 20] [--page-size 100] [--json FILE]

Runs against the configured database, which should hold a synthetic archive
(`python manage.py generate_synthetic --dialogues 100000 --seed 1`). It harvests `--pages`
pages of ListRecords (oai_dc) and of ListIdentifiers from the start, following the resumption
tokens exactly as a harvester does, through Django's test client (the whole request: URL
routing, middleware, queries, XML), then reads as many pages of `/api/changes/`. For each it
prints pages per second and records per second over the pages after the first, the first
page's time on its own (it also counts the whole list, for completeListSize), and the queries
per page, which must not grow with the page size.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from lxml import etree  # noqa: E402

from dialogues.feeds import oai  # noqa: E402
from dialogues.models import Dialogue  # noqa: E402

NS = {"oai": oai.OAI}


def harvest(client: Client, verb: str, pages: int) -> list[dict]:
    """Harvest up to `pages` pages of `verb`; return each page's time, records and queries."""
    query = {"verb": verb, "metadataPrefix": "oai_dc"}
    found = []
    for _ in range(pages):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/oai/", query)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{verb}: answered {response.status_code} in {elapsed:.1f} s")
        root = etree.fromstring(response.content)
        error = root.find("oai:error", NS)
        if error is not None:
            raise SystemExit(f"{verb}: {error.get('code')}: {error.text}")
        items = root.findall(
            f"oai:{verb}/oai:{'record' if verb == 'ListRecords' else 'header'}", NS
        )
        found.append({"seconds": elapsed, "records": len(items), "queries": len(queries)})
        token = root.findtext(f"oai:{verb}/oai:resumptionToken", namespaces=NS)
        if not token:
            break
        query = {"verb": verb, "resumptionToken": token}
    return found


def read_changes(client: Client, pages: int, size: int) -> list[dict]:
    found, since = [], None
    for _ in range(pages):
        params = {"page_size": size, **({"since": since} if since else {})}
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/api/changes/", params)
            elapsed = time.perf_counter() - started
        body = response.json()
        found.append({"seconds": elapsed, "records": len(body["results"]), "queries": len(queries)})
        since = body["next"]
        if not body["more"]:
            break
    return found


def summary(name: str, pages: list[dict]) -> dict:
    rest = pages[1:] or pages
    seconds = sum(p["seconds"] for p in rest)
    records = sum(p["records"] for p in rest)
    result = {
        "name": name,
        "pages": len(pages),
        "first_page_ms": round(pages[0]["seconds"] * 1000, 1),
        "median_page_ms": round(statistics.median(p["seconds"] for p in rest) * 1000, 1),
        "pages_per_second": round(len(rest) / seconds, 2),
        "records_per_second": round(records / seconds, 1),
        "queries_first_page": pages[0]["queries"],
        "queries_other_pages": sorted({p["queries"] for p in rest}),
    }
    print(
        f"{name:<22} {result['pages']:>5} {result['first_page_ms']:>10} "
        f"{result['median_page_ms']:>10} {result['pages_per_second']:>8} "
        f"{result['records_per_second']:>10} {result['queries_first_page']:>6} "
        f"{','.join(map(str, result['queries_other_pages'])):>8}"
    )
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20, help="pages to harvest of each kind")
    parser.add_argument("--page-size", type=int, default=oai.PAGE_SIZE, help="records a page")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.pages < 2 or not 1 <= args.page_size <= 1000:
        parser.error("--pages must be 2 or more and --page-size from 1 to 1000")
    settings.OAI_PAGE_SIZE = args.page_size
    client = Client(HTTP_HOST="localhost")
    size = Dialogue.objects.count()
    print(f"{size} dialogues on {connection.vendor}; {args.page_size} records a page")
    print(
        f"{'kind':<22} {'pages':>5} {'first ms':>10} {'median ms':>10} {'pages/s':>8} "
        f"{'records/s':>10} {'q 1st':>6} {'q other':>8}"
    )
    results = [
        summary("ListRecords", harvest(client, "ListRecords", args.pages)),
        summary("ListIdentifiers", harvest(client, "ListIdentifiers", args.pages)),
        summary("/api/changes/", read_changes(client, args.pages, args.page_size)),
    ]
    if args.json:
        Path(args.json).write_text(
            json.dumps({"dialogues": size, "page_size": args.page_size, "results": results})
        )


if __name__ == "__main__":
    main()
