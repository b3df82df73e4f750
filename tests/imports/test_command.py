import io

import pytest
from django.core.management import CommandError, call_command

from dialogues.imports import apply
from dialogues.models import Dialogue, ImportBatch, Status
from tests.test_progress import assert_counts_down, lines_of

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_records", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def file(tmp_path, world, good_row, to_csv):
    path = tmp_path / "meetings.csv"
    path.write_bytes(to_csv(good_row))
    return path


def test_a_dry_run_reports_and_writes_nothing(file):
    out, err = run(str(file), "--dry-run")
    assert "row 2: new talks-in-oslo: Talks in Oslo (arrives as a draft)" in out
    assert "1 rows: 1 new, 0 changed, 0 unchanged, 0 invalid" in out
    assert "rows checked 1/1 [====================] 100%" in err
    assert not Dialogue.objects.exists()


def test_the_import_writes_drafts_under_the_named_user(file, editor):
    out, _ = run(str(file), "--user", "editor")
    assert "Imported as import #" in out
    assert Dialogue.objects.get().status == Status.DRAFT
    assert ImportBatch.objects.get().imported_by == editor
    out, _ = run(str(file), "--user", "editor")
    assert "Nothing to import" not in out  # no slug: the same title is a second new record
    assert Dialogue.objects.count() == 2


def test_invalid_rows_exit_non_zero_with_the_report(tmp_path, world, good_row, to_csv):
    path = tmp_path / "bad.csv"
    path.write_bytes(to_csv(good_row | {"date_edtf": "someday"}))
    with pytest.raises(CommandError, match="1 invalid row"):
        run(str(path))
    assert not Dialogue.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "no such file"),
        (["{file}", "--user", "nobody"], "no user has that username"),
        (["{empty}"], "The file is empty"),
    ],
)
def test_bad_arguments_give_a_clear_error(tmp_path, file, args, message):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    args = [a.format(file=file, empty=empty) for a in args]
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_the_rows_checked_and_the_import_s_steps_show_what_is_left(
    tmp_path, world, good_row, to_csv, editor
):
    rows = [good_row | {"title": f"Talks in Oslo, round {i}"} for i in range(12)]
    path = tmp_path / "rounds.csv"
    path.write_bytes(to_csv(*rows))
    _, err = run(str(path), "--dry-run")
    found = lines_of("rows checked", err)
    assert found[0]["total"] == "12"
    assert_counts_down(found)
    assert not lines_of_any("import steps", err)

    _, err = run(str(path), "--user", "editor")
    checked = lines_of("rows checked", err)
    assert_counts_down(checked)
    steps = lines_of("import steps", err)
    assert_counts_down(steps)
    assert steps[-1]["total"] == str(apply.IMPORT_STEPS)
    # The steps come after the rows are checked, each stage in one piece.
    assert err.index("import steps") > err.rindex("rows checked")
    assert Dialogue.objects.count() == 12

    _, err = run(str(path), "--dry-run", "--verbosity", "0")
    assert err == ""


def lines_of_any(stage: str, text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(stage)]
