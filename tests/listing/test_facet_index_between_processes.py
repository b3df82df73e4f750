"""A save in one worker reaches another worker's facet index at once, with no Redis: the saving
process writes the updated index to a file, and the other maps it instead of building one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("facet_index_worker.py")


class Worker:
    def __init__(self, env: dict):
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        assert answer, f"the worker stopped after {command!r}"
        return answer

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """An empty archive in a file, migrated once for the tests below (each copies it)."""
    database = tmp_path_factory.mktemp("archive") / "archive.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "true"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return database


@pytest.fixture
def environment(migrated, tmp_path):
    """A database of its own in a file (a test database lives in the test's process), the
    index files in a folder of their own, and no Redis."""
    database = tmp_path / "archive.sqlite3"
    shutil.copyfile(migrated, database)
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "TRACKII_FACET_INDEX_DIR": str(tmp_path / "facet-index"),
        "REDIS_URL": "",
        "DJANGO_DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "trackii.settings",
    }


def test_a_save_in_one_worker_reaches_another_without_redis_or_a_build(environment, tmp_path):
    saving, reading = Worker(environment), Worker(environment)
    try:
        assert saving.ask("seed") == "seeded"
        # The first to need the index builds it; the other maps the file it wrote.
        assert saving.ask("read") == "1 mapped 1"
        assert reading.ask("read") == "1 mapped 0"

        assert saving.ask("publish") == "2 mapped 1"  # updated in place: no second build
        assert reading.ask("read") == "2 mapped 0"  # the save's index, never built here
        files = sorted(path.suffix for path in (tmp_path / "facet-index").iterdir())
        assert files == [".index", ".index"]  # this generation's and the one before
    finally:
        saving.stop()
        reading.stop()


def test_with_the_files_off_each_worker_builds_its_own(environment):
    environment = {**environment, "TRACKII_FACET_INDEX_DIR": "off"}
    saving, reading = Worker(environment), Worker(environment)
    try:
        assert saving.ask("seed") == "seeded"
        assert saving.ask("read") == "1 own 1"
        assert reading.ask("read") == "1 own 1"
        assert saving.ask("publish") == "2 own 1"
        assert reading.ask("read") == "2 own 2"  # it had to build the save's index itself
    finally:
        saving.stop()
        reading.stop()
