"""Check the production stack as a user would run it, and print what it shows.

    python -m scripts.prod_check                      # what `make prod-check` runs
    python -m scripts.prod_check --dialogues 100000   # add a synthetic archive first
    python -m scripts.prod_check --database-url sqlite:////path/to/archive.sqlite3

It starts nginx and gunicorn with production settings (scripts/prod.py) on a free port, on a
throwaway SQLite copy of the archive's fixtures (plus N synthetic dialogues if asked), or on the
database given. Then: twenty trickling connections must not slow `/healthz`; a full CSV and JSON
export must arrive whole, with /healthz answering meanwhile; an abandoned export must free its
worker (and, on PostgreSQL, leave no query running); the security headers must be there; logins
must lock out after repeated failures (once django-axes is installed); and wrk loads the site.
It stops everything it started, and exits non-zero if a check failed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts import probes, prod

SLOW_CONNECTIONS = 20
# /healthz must stay this fast while slow clients hold connections (a worker held would take
# seconds: nginx's header and body timeouts are 10 s).
HEALTH_LIMIT_SECONDS = 0.5
WRONG_PASSWORDS = 8
CHECK_USER = "prod-check-editor"


class Report:
    def __init__(self):
        self.failures: list[str] = []

    def line(self, text: str) -> None:
        print(text, flush=True)

    def check(self, ok: bool, text: str) -> None:
        self.line(("  ok    " if ok else "  FAIL  ") + text)
        if not ok:
            self.failures.append(text)


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=prod.ROOT, env=env, check=True, stdout=sys.stderr
    )


def prepare_database(args, workdir: Path) -> dict[str, str]:
    """Return the environment naming the database to check, filled as asked."""
    env = dict(os.environ)
    # Rate limiting would make the load figures count refusals, not pages.
    env["TRACKII_RATE_LIMIT"] = "off"
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        return env
    if args.db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'archive.sqlite3'}"
    elif not env.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("--db postgres needs DATABASE_URL=postgres://… in the environment")
    setup = {**env, "DJANGO_DEBUG": "true"}
    manage(setup, "migrate", "--noinput", "--verbosity", "0")
    manage(setup, "load_initial_data")
    if args.dialogues:
        manage(setup, "generate_synthetic", "--dialogues", str(args.dialogues), "--seed", "1")
    return env


def check_slow_clients(report: Report, port: int) -> None:
    report.line(f"\n== {SLOW_CONNECTIONS} trickling connections (slow headers and slow bodies)")
    probes.health_latencies(port, 10, pause=0)  # each worker's first request warms it
    probes.health_latencies(port, 10, pause=0)  # each worker's first request warms it
    report.line(f"  /healthz alone: {probes.summary(probes.health_latencies(port, 10))}")
    with probes.Trickle(port, SLOW_CONNECTIONS):
        time.sleep(1)
        times = probes.health_latencies(port, 30, pause=0.2)
    report.check(
        max(times) < HEALTH_LIMIT_SECONDS,
        f"/healthz under {SLOW_CONNECTIONS} slow connections: {probes.summary(times)}",
    )


def check_exports(report: Report, port: int, database_url: str) -> None:
    expected = probes.archive_count(port)
    report.line(f"\n== Full exports of {expected:,} dialogues")
    for fmt in ("csv", "json"):
        result = probes.full_export(port, fmt)
        report.check(
            result.status == 200 and result.complete and result.rows == expected,
            f"export.{fmt}: {result.rows:,} rows, {'complete' if result.complete else 'CUT OFF'}, "
            f"{result.size / 1e6:.1f} MB in {result.seconds:.1f} s",
        )
        if result.health:
            report.check(
                max(result.health) < 2,
                f"/healthz during the export: {probes.summary(result.health)}",
            )
    report.line("\n== An abandoned export")
    slowest = probes.abandoned_export(port)
    report.check(
        slowest < HEALTH_LIMIT_SECONDS, f"/healthz after hanging up: {slowest * 1000:.1f} ms"
    )
    running = probes.active_queries(database_url)
    if running is None:
        report.line("  (SQLite: no other sessions to inspect)")
    else:
        report.check(running == 0, f"queries still running on PostgreSQL: {running}")


def check_headers(report: Report, port: int) -> None:
    report.line("\n== Security headers on /")
    found = probes.headers_of(port)
    for name in probes.REQUIRED_HEADERS:
        report.check(found[name] is not None, f"{name}: {found[name] or 'missing'}")
    for name in probes.OPTIONAL_HEADERS:
        report.line(f"  {'      ' if found[name] else 'note  '}{name}: {found[name] or 'missing'}")


def check_lockout(report: Report, port: int, env: dict[str, str]) -> None:
    report.line("\n== Login lockout")
    if importlib.util.find_spec("axes") is None:
        report.line("  skipped: django-axes is not installed, so logins are not throttled yet")
        return
    password = secrets.token_urlsafe(16)
    manage(
        {**env, "DJANGO_DEBUG": "true"},
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        f"u, _ = User.objects.get_or_create(username={CHECK_USER!r}); "
        f"u.is_staff = True; u.set_password({password!r}); u.save()",
    )
    statuses = [probes.login_attempt(port, CHECK_USER, "wrong") for _ in range(WRONG_PASSWORDS)]
    report.line(f"  {WRONG_PASSWORDS} wrong passwords answered {statuses}")
    status = probes.login_attempt(port, CHECK_USER, password)
    report.check(status != 302, f"the right password afterwards is refused (status {status})")


def run_load(report: Report, port: int, seconds: int, connections: int, workdir: Path) -> None:
    report.line(
        f"\n== wrk: {seconds} s at {connections} connections over {len(probes.LOAD_PATHS)} pages"
    )
    figures = probes.wrk(port, seconds, connections, workdir)
    report.line(
        f"  {figures['requests']} requests, {figures['rps']} req/s, p50 {figures['p50']}, "
        f"p99 {figures['p99']}, non-2xx/3xx {figures['non_2xx']}, "
        f"socket errors {figures['socket_errors']}"
    )
    report.check(figures["non_2xx"] == "0", "no error responses under load")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", help="check this database as it is (nothing loaded)")
    parser.add_argument("--dialogues", type=int, default=0, help="synthetic dialogues to add")
    parser.add_argument("--load-seconds", type=int, default=60, help="wrk's duration (0: skip)")
    parser.add_argument("--connections", type=int, default=64, help="wrk's connections")
    args = parser.parse_args(argv)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="trackii-prod-check-") as tmp:
        workdir = Path(tmp)
        env = prepare_database(args, workdir)
        port = prod.free_port()
        with prod.running(port, workdir, env=env):
            report.line(f"Production stack on http://127.0.0.1:{port}/ ({env['DATABASE_URL']})")
            check_slow_clients(report, port)
            check_exports(report, port, env["DATABASE_URL"])
            check_headers(report, port)
            check_lockout(report, port, env)
            if args.load_seconds:
                run_load(report, port, args.load_seconds, args.connections, workdir)
    if report.failures:
        report.line(f"\n{len(report.failures)} check(s) failed.")
        return 1
    report.line("\nEvery check passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
