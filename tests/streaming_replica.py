"""A throwaway PostgreSQL primary and its streaming replica, for tests/test_replicas_streaming.py.

Both are clusters of this machine's PostgreSQL 15 (`/usr/lib/postgresql/15/bin`) in a temporary
folder on free ports: `initdb` makes the primary, `pg_basebackup -R` its replica, which then
streams the primary's changes. Run as the `postgres` user when the tests run as root.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
TOOLS = ("initdb", "pg_ctl", "pg_basebackup", "createdb", "postgres")


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if not (BIN / tool).exists()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/trackii"

    def start(self) -> None:
        run("pg_ctl", "-D", self.folder, "-l", self.folder / "log", "-w", "-t", "60", "start")

    def stop(self) -> None:
        if (self.folder / "postmaster.pid").exists():
            run("pg_ctl", "-D", self.folder, "-m", "immediate", "-w", "stop", check=False)


def run(tool: str, *args, check: bool = True) -> subprocess.CompletedProcess:
    command = [str(BIN / tool), *map(str, args)]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def make_pair(root: Path) -> tuple[Cluster, Cluster]:
    """Start a primary holding an empty `trackii` database, and its streaming replica."""
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary = Cluster(root / "primary", free_port())
    run(
        "initdb",
        "-D",
        primary.folder,
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    )
    with open(primary.folder / "postgresql.conf", "a") as conf:
        conf.write(
            f"port = {primary.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{root}'\nwal_level = replica\nmax_wal_senders = 4\n"
            "fsync = off\nfull_page_writes = off\n"
        )
    primary.start()
    run("createdb", "-h", "127.0.0.1", "-p", primary.port, "-U", "postgres", "trackii")
    return primary, Cluster(root / "replica", free_port())


def start_replica(primary: Cluster, replica: Cluster) -> None:
    """Copy the primary with pg_basebackup, as a standby that streams from it, and start it."""
    run(
        "pg_basebackup",
        "-h",
        "127.0.0.1",
        "-p",
        primary.port,
        "-U",
        "postgres",
        "-D",
        replica.folder,
        "-R",
        "-X",
        "stream",
        # A checkpoint at once, not the next scheduled one (minutes away on an idle primary).
        "--checkpoint=fast",
    )
    with open(replica.folder / "postgresql.conf", "a") as conf:
        conf.write(f"port = {replica.port}\nhot_standby = on\n")
    replica.start()


def wait_for_replay(primary: Cluster, replica: Cluster, seconds: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    import psycopg

    with psycopg.connect(primary.url, autocommit=True) as connection:
        target = connection.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + seconds
    with psycopg.connect(replica.url, autocommit=True) as connection:
        while time.monotonic() < deadline:
            caught_up = connection.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]
            ).fetchone()[0]
            if caught_up:
                return
            time.sleep(0.1)
    raise AssertionError(f"the replica did not replay {target} within {seconds} s")
