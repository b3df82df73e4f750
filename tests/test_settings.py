"""Settings come from the environment; these run `manage.py` in a child process to see them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base.pop("DATABASE_URL", None)
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_secret_key_is_refused_with_debug_off():
    result = run_manage("check", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set and DJANGO_DEBUG is off" in result.stderr
    assert "Traceback" not in result.stderr.split("ImproperlyConfigured")[-1]


def test_the_development_key_is_allowed_with_debug_on():
    result = run_manage("check", DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_a_debug_value_that_is_not_yes_or_no_is_refused(value):
    result = run_manage("check", DJANGO_DEBUG=value, DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "is not a yes/no value" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-long-production-secret-" + "k3y" * 20,
        DJANGO_ALLOWED_HOSTS="archive.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_postgres_apps_are_installed_only_for_postgresql():
    code = (
        "from django.conf import settings; "
        "print('django.contrib.postgres' in settings.INSTALLED_APPS)"
    )
    sqlite = run_manage("shell", "-c", code, DJANGO_DEBUG="true")
    postgres = run_manage(
        "shell", "-c", code, DJANGO_DEBUG="true", DATABASE_URL="postgres://u@127.0.0.1:1/none"
    )
    assert sqlite.stdout.strip().endswith("False"), sqlite.stderr
    assert postgres.stdout.strip().endswith("True"), postgres.stderr


def test_env_example_lists_every_variable_the_settings_read():
    settings_text = (ROOT / "trackii" / "settings.py").read_text()
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    import re

    read = set(re.findall(r'env(?:_[a-z]+)?\(\s*"([A-Z_]+)"', settings_text))
    read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', settings_text))
    assert read, "no variables found in settings"
    for name in read:
        assert re.search(rf"^#?\s*{name}=", example, re.M), f"{name} missing from .env.example"
        assert f"`{name}`" in readme, f"{name} missing from the README's table"


SHOW = "from django.conf import settings; print(repr(getattr(settings, {name!r}, None)))"


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "None"), ("false", "None"), ("true", "'HTTP_X_FORWARDED_PROTO'")]
)
def test_the_forwarded_protocol_is_believed_only_behind_a_proxy(value, expected):
    env = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "k" * 60}
    if value is not None:
        env["DJANGO_BEHIND_PROXY"] = value
    code = (
        "from django.conf import settings; "
        "print(repr((getattr(settings, 'SECURE_PROXY_SSL_HEADER', None) or [None])[0]))"
    )
    result = run_manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("30/m", "(30, 60)"), ("5/s", "(5, 1)"), ("1000/h", "(1000, 3600)"), ("off", "None")],
)
def test_the_rate_limit_is_read_from_the_environment(value, expected):
    code = SHOW.format(name="RATE_LIMIT")
    result = run_manage("shell", "-c", code, DJANGO_DEBUG="true", TRACKII_RATE_LIMIT=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


@pytest.mark.parametrize(("debug", "expected"), [("true", "None"), ("false", "(30, 60)")])
def test_the_rate_limit_is_off_on_one_s_own_copy_and_on_in_production(debug, expected):
    # `make run` sets DJANGO_DEBUG=true: a researcher scripting against their copy is not limited.
    env = {"DJANGO_DEBUG": debug, "DJANGO_SECRET_KEY": "k" * 60}
    result = run_manage("shell", "-c", SHOW.format(name="RATE_LIMIT"), **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


@pytest.mark.parametrize("value", ["30", "30/min", "0/m", "-1/m", "lots", "30/m/s"])
def test_a_bad_rate_limit_stops_start_up_with_a_clear_message(value):
    result = run_manage("check", DJANGO_DEBUG="true", TRACKII_RATE_LIMIT=value)
    assert result.returncode != 0
    assert f"TRACKII_RATE_LIMIT={value!r} is not a rate" in result.stderr
    assert "such as 30/m" in result.stderr


@pytest.mark.parametrize("value", ["3s", "-5", "fast"])
def test_a_bad_query_timeout_stops_start_up_with_a_clear_message(value):
    result = run_manage("check", DJANGO_DEBUG="true", TRACKII_QUERY_TIMEOUT_MS=value)
    assert result.returncode != 0
    assert "is not a number of milliseconds" in result.stderr


def test_the_query_timeout_defaults_to_three_seconds():
    result = run_manage("shell", "-c", SHOW.format(name="QUERY_TIMEOUT_MS"), DJANGO_DEBUG="true")
    assert result.stdout.strip().splitlines()[-1] == "3000", result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DJANGO_DEBUG": "true"}, "True"),
        ({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "k" * 60}, "False"),
        (
            {
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": "k" * 60,
                "TRACKII_FACETS_BY_SQL_WHILE_INDEXING": "on",
            },
            "True",
        ),
    ],
)
def test_counts_wait_for_the_index_in_production_and_not_on_one_s_own_copy(env, expected):
    result = run_manage("shell", "-c", SHOW.format(name="FACETS_BY_SQL_WHILE_INDEXING"), **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
