# The two commands a newcomer needs: `make run` and `make test`. Both install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# Development defaults; production sets its own environment (see README).
export DJANGO_DEBUG ?= true

.PHONY: run test install migrate load lint format check-migrations check-archive ci clean \
	screenshots page-weights mutation-check

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

load: migrate
	$(BIN)/python manage.py load_initial_data

run: load
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# Checks the archive's integrity; give a folder of source texts to check excerpts too.
SOURCES ?=
check-archive: load
	$(BIN)/python manage.py check_archive $(if $(SOURCES),--sources $(SOURCES))

ci: lint check-migrations test mutation-check

# Proves the suite can fail: breaks named behaviours one at a time in a throwaway copy of the
# tree (the sort, a facet's own filter, snippet escaping, a date's earliest day) and fails unless
# the non-browser suite catches every one. A few minutes; see scripts/mutation_check.py.
mutation-check: install
	$(BIN)/python -m scripts.mutation_check

# A PNG of each kind of page, phone and desktop, light and dark, in screenshots/. Needs Debian's
# Chromium (apt-get install chromium); the archive is served from a throwaway database.
screenshots: install
	$(BIN)/python -m scripts.screenshots --out screenshots

# The HTML, CSS and JS bytes of each kind of page, served from the same throwaway archive.
page-weights: install
	$(BIN)/python -m scripts.page_weights

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm screenshots

# Load benchmark of every kind of page on synthetic archives (see bench/run.py), e.g.
# `make bench SIZE=10k DB=sqlite DURATION=3`; REBUILD=1 rebuilds the databases it would reuse,
# KINDS="list search_common" measures only those kinds of page; MODE=warm or MODE=cold measures
# only the fixed URL lists or only the addresses never requested before (default: both);
# DATASETTE=0 skips the Datasette comparison (a PostgreSQL run otherwise builds a SQLite twin).
SIZE ?= 10k 100k
DB ?= sqlite postgres
DURATION ?= 5
WARMUP ?= 1
SEED ?= 1
REBUILD ?=
WORKER_CLASS ?= sync
KINDS ?=
MODE ?= warm cold
DATASETTE ?= 1
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: bench

$(BENCH_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	rm -f $(VENV)/.bench-installed-*
	touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run --size "$(SIZE)" --db "$(DB)" --duration "$(DURATION)" \
		--warmup "$(WARMUP)" --seed "$(SEED)" --worker-class "$(WORKER_CLASS)" --mode "$(MODE)" \
		$(if $(KINDS),--kinds "$(KINDS)") $(if $(filter 1 true yes,$(REBUILD)),--rebuild) \
		$(if $(filter 0 false no,$(DATASETTE)),--no-datasette)
