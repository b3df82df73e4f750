"""The project's own settings, with the SQLite file chosen by the benchmark.

The production settings keep SQLite at a fixed path beside the project. Each benchmark run needs
its own database file per size, with exactly the production options (WAL, a persistent connection
per worker), so this module imports the settings unchanged and only swaps the file name when
`BENCH_SQLITE_PATH` is set. PostgreSQL runs use `DATABASE_URL` as production does.
"""

import os

from trackii.settings import *  # noqa: F403
from trackii.settings import DATABASES, IS_POSTGRES

_path = os.environ.get("BENCH_SQLITE_PATH", "").strip()
if _path and not IS_POSTGRES:
    DATABASES["default"]["NAME"] = _path
