"""Project-wide pytest options."""


def pytest_addoption(parser):
    parser.addoption(
        "--pg-marker",
        default=None,
        help="Write the database vendor to this file after the run (CI proves PostgreSQL ran).",
    )
