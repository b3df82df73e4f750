"""Run the suite's contract test against the production stack: nginx in front of gunicorn.

    python -m scripts.contract_prod [--examples 500]      # what `make contract STACK=prod` runs

It starts `make prod`'s stack (scripts/prod.py) on a free port with a throwaway SQLite copy of
the archive's content, the rate limit off (the fuzzer sends thousands of searches), then runs
tests/api/test_contract.py with `CONTRACT_URL` pointing at nginx, and stops the stack.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from scripts import prod

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500, help="cases per operation")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="trackii-contract-") as folder:
        workdir = Path(folder)
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'archive.sqlite3'}"
        env["TRACKII_RATE_LIMIT"] = "off"
        port = prod.free_port()
        try:
            with prod.running(port, workdir, env=env):
                test_env = dict(os.environ, DJANGO_DEBUG="true")
                test_env["CONTRACT_URL"] = f"http://127.0.0.1:{port}"
                test_env["CONTRACT_EXAMPLES"] = str(args.examples)
                command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
                return subprocess.run(
                    [*command, "tests/api/test_contract.py"], cwd=ROOT, env=test_env
                ).returncode
        except prod.ProdError as exc:
            print(f"make contract STACK=prod: {exc}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
