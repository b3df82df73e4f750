"""The benchmark's databases: built fresh from the generator, or reused when still intact.

SQLite: a file under bench/tmp/; PostgreSQL: `trackii_bench_<size>` (`BENCH_DB_PREFIX` replaces
`trackii_bench`), dropped and recreated. A
database built before with the same generator, size and seed is reused (a JSON file beside the
SQLite file, a `bench_build` table in PostgreSQL records how it was built) unless --rebuild.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bench.cli import size_label
from bench.environment import ROOT, TMP_DIR, BenchError, manage, say

GENERATOR = ROOT / "synthetic" / "management" / "commands" / "generate_synthetic.py"
# The command and the package that makes the records: a change to either changes the data.
GENERATOR_PACKAGE = ROOT / "synthetic"
SYNTHETIC_PREFIX = "syn-"


@functools.cache
def generator_version() -> str:
    """A fingerprint of the generator: a database it built is reused only by the same one.

    Taken once per run, so that every database of one run is judged by the same generator.
    """
    if not GENERATOR.exists():
        raise BenchError(
            "synthetic/management/commands/generate_synthetic.py is missing: the benchmark needs "
            "`manage.py generate_synthetic --dialogues N --seed S` to build its databases"
        )
    digest = hashlib.sha256()
    # Sorted, so that the fingerprint does not depend on the order the directory lists them.
    for path in (GENERATOR, *sorted(GENERATOR_PACKAGE.glob("*.py"))):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class Database:
    """One benchmark database: where it is, whether it is intact, and how to build it."""

    def __init__(self, db: str, n: int, seed: int, postgres_url: str):
        self.db, self.n, self.seed = db, n, seed
        self.label = size_label(n)
        self.postgres_url = postgres_url.rstrip("/")
        # BENCH_DB_PREFIX keeps two runs against one server apart (default trackii_bench).
        prefix = os.environ.get("BENCH_DB_PREFIX", "trackii_bench")
        self.name = f"{prefix}_{self.label}"
        self.sqlite_path = TMP_DIR / f"sqlite-{self.label}-s{seed}.sqlite3"
        self.marker_path = self.sqlite_path.with_suffix(".json")
        self.log = TMP_DIR / f"build-{db}-{self.label}.log"

    @property
    def url(self) -> str:
        return f"{self.postgres_url}/{self.name}"

    def env(self, base: dict[str, str], sqlite_path: Path | None = None) -> dict[str, str]:
        env = dict(base)
        if self.db == "postgres":
            env["DATABASE_URL"] = self.url
        else:
            env["BENCH_SQLITE_PATH"] = str(sqlite_path or self.sqlite_path)
        return env

    def expected(self) -> dict:
        return {"generator_version": generator_version(), "seed": self.seed, "dialogues": self.n}

    # The marker is written last, after a successful build, so a half-built database never
    # looks intact.

    def marker(self) -> dict | None:
        if self.db == "sqlite":
            try:
                return json.loads(self.marker_path.read_text())
            except (OSError, ValueError):
                return None
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=5) as connection:
                row = connection.execute(
                    "SELECT data FROM bench_build ORDER BY built_at DESC LIMIT 1"
                ).fetchone()
        except psycopg.Error:
            return None
        return json.loads(row[0]) if row else None

    def intact(self) -> tuple[bool, str]:
        marker = self.marker()
        if marker is None:
            return False, "no database built yet"
        expected = self.expected()
        for key, value in expected.items():
            if marker.get(key) != value:
                return False, f"{key} was {marker.get(key)!r}, now {value!r}"
        try:
            count = self._count_synthetic()
        except Exception as exc:  # noqa: BLE001  (any failure to read means "rebuild")
            return False, f"unreadable: {exc}"
        if count != self.n:
            return False, f"holds {count:,} synthetic dialogues, expected {self.n:,}"
        return True, f"same generator, seed {self.seed}, {self.n:,} dialogues"

    def _count_synthetic(self) -> int:
        query = "SELECT count(*) FROM dialogues_dialogue WHERE slug LIKE %s"
        if self.db == "sqlite":
            if not self.sqlite_path.exists():
                raise BenchError("the file is missing")
            connection = sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True)
            try:
                if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise BenchError("PRAGMA quick_check failed")
                return connection.execute(
                    query.replace("%s", "?"), (SYNTHETIC_PREFIX + "%",)
                ).fetchone()[0]
            finally:
                connection.close()
        import psycopg

        with psycopg.connect(self.url, connect_timeout=5) as connection:
            return connection.execute(query, (SYNTHETIC_PREFIX + "%",)).fetchone()[0]

    def ensure(self, base_env: dict[str, str], rebuild: bool) -> dict:
        """Reuse or build the database; return what happened, with the build's timings."""
        ok, reason = (False, "REBUILD asked for") if rebuild else self.intact()
        if ok:
            say(f"  reusing the {self.db} database ({reason})")
            # New migrations (say, an index) apply to a reused database as they would on deploy.
            manage(self.env(base_env), "migrate", "--noinput", log=self.log)
            marker = self.marker() or {}
            return {"reused": True, "reason": reason, **marker}
        say(f"  building the {self.db} database of {self.n:,} dialogues ({reason})")
        self.log.write_text("")
        if self.db == "sqlite":
            timings = self._build_sqlite(base_env)
        else:
            timings = self._build_postgres(base_env)
        say(
            f"  built: migrate {timings['migrate_seconds']:.1f} s, "
            f"generate_synthetic {timings['generate_seconds']:.1f} s"
        )
        return {"reused": False, "reason": reason, **timings}

    def _generate(self, env: dict[str, str]) -> dict:
        migrate = manage(env, "migrate", "--noinput", log=self.log)
        generate = manage(
            env,
            "generate_synthetic",
            "--dialogues",
            str(self.n),
            "--seed",
            str(self.seed),
            log=self.log,
            echo=True,
        )
        return {
            **self.expected(),
            "migrate_seconds": round(migrate, 2),
            "generate_seconds": round(generate, 2),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def _build_sqlite(self, base_env: dict[str, str]) -> dict:
        building = self.sqlite_path.with_name(self.sqlite_path.stem + ".building.sqlite3")
        for path in (self.marker_path, *_sqlite_files(building)):
            path.unlink(missing_ok=True)
        timings = self._generate(self.env(base_env, building))
        # Fold the write-ahead log into the file, so that it stands alone and Datasette can
        # open it immutable.
        connection = sqlite3.connect(building)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        for path in _sqlite_files(self.sqlite_path):
            path.unlink(missing_ok=True)
        building.replace(self.sqlite_path)
        for path in _sqlite_files(building):
            path.unlink(missing_ok=True)
        temporary = self.marker_path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(timings, indent=2) + "\n")
        temporary.replace(self.marker_path)
        return timings

    def _build_postgres(self, base_env: dict[str, str]) -> dict:
        import psycopg
        from psycopg import sql

        with psycopg.connect(f"{self.postgres_url}/postgres", autocommit=True) as admin:
            name = sql.Identifier(self.name)
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        timings = self._generate(self.env(base_env))
        say("  VACUUM (ANALYZE)")
        with psycopg.connect(self.url, autocommit=True) as connection:
            # Production's autovacuum would have analysed the new rows within a minute; doing it
            # now gives the planner the same statistics on every run.
            connection.execute("VACUUM (ANALYZE)")
            connection.execute(
                "CREATE TABLE bench_build (built_at timestamptz DEFAULT now(), data text)"
            )
            connection.execute("INSERT INTO bench_build (data) VALUES (%s)", (json.dumps(timings),))
        return timings


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def check_postgres(url: str) -> str:
    import psycopg

    try:
        with psycopg.connect(f"{url.rstrip('/')}/postgres", connect_timeout=5) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        raise BenchError(
            f"cannot reach PostgreSQL at {url} ({str(exc).strip().splitlines()[0]}); start it, "
            "set BENCH_POSTGRES_URL, or run only DB=sqlite"
        ) from None


def postgres_idle(database: Database):
    """A check that no other session runs a query in the benchmark's database."""
    import psycopg

    connection = psycopg.connect(database.url, autocommit=True)

    def idle() -> bool:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND pid <> pg_backend_pid()"
        ).fetchone()
        return row[0] == 0

    idle.close = connection.close
    return idle
