"""The generate_synthetic command: its arguments, its messages and its progress bar."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from dialogues.models import Dialogue
from dialogues.progress import ProgressBar
from tests.synthetic.helpers import empty_archive


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--dialogues", "0", "--seed", "1"], "from 1 to 10,000,000"),
        (["--dialogues", "10000001", "--seed", "1"], "from 1 to 10,000,000"),
        (["--dialogues", "many", "--seed", "1"], "from 1 to 10,000,000"),
        (["--dialogues", "2.5", "--seed", "1"], "from 1 to 10,000,000"),
        (["--dialogues", "10", "--seed", "x"], "whole number such as"),
        (["--dialogues", "10", "--seed", "1.5"], "whole number such as"),
        (["--dialogues", "10", "--seed", "1", "--batch-size", "99"], "from 100 to 100,000"),
        (["--dialogues", "10", "--seed", "1", "--batch-size", "100001"], "from 100 to 100,000"),
        (["--seed", "1"], "--dialogues"),
        (["--dialogues", "10"], "--seed"),
        (["--dialogues", "10", "--seed", "1", "--database", "elsewhere"], "no database"),
    ],
)
def test_bad_arguments_are_refused_with_what_is_accepted(args, expected):
    with pytest.raises(CommandError) as error:
        call_command("generate_synthetic", *args, stdout=io.StringIO(), stderr=io.StringIO())

    assert expected in str(error.value)
    assert not Dialogue.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"dialogues": 0, "seed": 1}, "--dialogues: expected a whole number"),
        ({"dialogues": True, "seed": 1}, "--dialogues: expected a whole number"),
        ({"dialogues": 10, "seed": "one"}, "--seed: expected a whole number"),
        ({"dialogues": 10, "seed": 1, "batch_size": 10**6}, "--batch-size: expected"),
    ],
)
def test_keyword_options_are_checked_as_strictly(options, expected):
    with pytest.raises(CommandError, match=re.escape(expected)):
        call_command("generate_synthetic", stdout=io.StringIO(), **options)


def test_a_bad_value_on_the_command_line_gives_a_message_not_a_traceback():
    manage = Path(settings.BASE_DIR) / "manage.py"
    result = subprocess.run(
        [sys.executable, str(manage), "generate_synthetic", "--dialogues", "-3", "--seed", "1"],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_DEBUG": "true"},
        timeout=60,
    )

    assert result.returncode != 0
    assert "from 1 to 10,000,000" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_progress_goes_to_stderr_unless_quiet():
    err = io.StringIO()
    call_command(
        "generate_synthetic", "--dialogues", "50", "--seed", "1", stdout=io.StringIO(), stderr=err
    )
    lines = err.getvalue().splitlines()
    assert any(line.startswith("dialogues 50/50 [") and "100%" in line for line in lines)
    assert any(line.startswith("search index") for line in lines)
    assert "\r" not in err.getvalue()  # not a terminal: whole lines only

    empty_archive()
    for extra in (["--quiet"], ["--verbosity", "0"]):
        err = io.StringIO()
        call_command(
            "generate_synthetic",
            "--dialogues",
            "20",
            "--seed",
            "1",
            *extra,
            stdout=io.StringIO(),
            stderr=err,
        )
        assert err.getvalue() == ""
        empty_archive()


@pytest.mark.parametrize("interactive", [False, True])
def test_the_progress_bar(interactive):
    written = []
    now = iter(range(100))
    bar = ProgressBar(written.append, interactive=interactive, clock=lambda: next(now))

    for done in range(0, 1001, 100):
        bar("dialogues", done, 1000)

    text = "".join(written)
    # (On a terminal, spaces wipe the tail of the longer line drawn before.)
    assert text.endswith("\n")
    assert text[:-1].rstrip().endswith("dialogues 1,000/1,000 [====================] 100% 10.0s")
    # Unfinished, a line says what is left and, once something is done, about how long.
    assert "dialogues 0/1,000 [                    ]   0% 0.0s, 1,000 left" in text
    if interactive:
        # Redrawn in place at every call, with one newline when the stage ends.
        assert text.count("\r") == 11 and text.count("\n") == 1
        assert (
            "\rdialogues 500/1,000 [==========          ]  50% 5.0s, 500 left, about 5.0s more"
            in text
        )
    else:
        # The stage's first line, then a line at each quarter, not one per batch.
        assert len(written) == 5
        assert (
            written[2]
            == "dialogues 500/1,000 [==========          ]  50% 5.0s, 500 left, about 5.0s more\n"
        )
