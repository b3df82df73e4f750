from tests.imports.conftest import world  # noqa: F401  (what an imported row may name)
