"""nginx lets through every file the import accepts, and no more than that on its one path."""

import re
from pathlib import Path

from django.urls import reverse

from dialogues.imports.reading import MAX_BYTES

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf.template"
UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def _size(text: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", text.lower()).groups()
    return int(number) * UNITS[unit]


def _limits() -> dict[str, int]:
    """client_max_body_size by exact location (`*` for the http block's)."""
    text = TEMPLATE.read_text()
    limits = {}
    for path, body in re.findall(r"location\s*=\s*(\S+)\s*\{(.*?)\}", text, re.S):
        found = re.search(r"client_max_body_size\s+(\w+);", body)
        if found:
            limits[path] = _size(found.group(1))
    http = re.search(r"^\s{4}client_max_body_size\s+(\w+);", text, re.M)
    limits["*"] = _size(http.group(1))
    return limits


def test_nginx_takes_the_largest_file_the_import_accepts_on_the_upload_path():
    limits = _limits()
    upload = reverse("admin:dialogues_importbatch_upload")
    assert upload in limits, f"nginx.conf.template has no body limit for {upload}"
    # The file plus the multipart form around it (a boundary, the CSRF token, headers).
    assert MAX_BYTES + 64 * 1024 <= limits[upload] <= MAX_BYTES + 2 * 1024**2
    # Every other path keeps the small limit.
    assert limits["*"] < MAX_BYTES
