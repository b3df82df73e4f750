# The two commands a newcomer needs: `make run` and `make test`. Both install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# Development defaults; production sets its own environment (see README).
export DJANGO_DEBUG ?= true

.PHONY: run test install migrate load lint format check-migrations check-archive ci clean \
	screenshots page-weights mutation-check prod prod-check nginx contract rum messages \
	compilemessages

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
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Extracts the strings of the templates and code into locale/he and locale/ar. Django's
# makemessages needs GNU gettext (apt-get install gettext); nothing else does: the compiled
# catalogues are committed, and `make compilemessages` compiles them with Babel.
LOCALE_IGNORE := .venv tests bench synthetic scripts deploy docs staticfiles static
messages: install
	$(BIN)/python manage.py makemessages -l he -l ar --no-obsolete \
		$(foreach dir,$(LOCALE_IGNORE),--ignore=$(dir))

# Compiles locale/*/LC_MESSAGES/django.po into the .mo files Django reads, with Babel (no
# msgfmt); a test checks that the committed .mo files match their .po files.
compilemessages: install
	$(BIN)/python -m scripts.catalogues

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# Checks the archive's integrity; give a folder of source texts to check excerpts too.
SOURCES ?=
check-archive: load
	$(BIN)/python manage.py check_archive $(if $(SOURCES),--sources $(SOURCES))

ci: lint check-migrations test mutation-check

# The API's contract with a bigger budget than the suite's 25 cases an operation: schemathesis
# fuzzes every operation of /api/openapi.json with all its checks (see tests/api/test_contract.py).
# STACK=prod runs it over HTTP against `make prod`'s stack (nginx in front of gunicorn) on a
# throwaway copy of the archive (scripts/contract_prod.py).
CONTRACT_EXAMPLES ?= 500
STACK ?= app
contract: install $(if $(filter prod,$(STACK)),nginx)
ifeq ($(STACK),prod)
	DJANGO_DEBUG=false $(BIN)/python -m scripts.contract_prod --examples $(CONTRACT_EXAMPLES)
else
	CONTRACT_EXAMPLES=$(CONTRACT_EXAMPLES) $(BIN)/python -m pytest -p no:cacheprovider \
		tests/api/test_contract.py
endif

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
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm screenshots var

# PostgreSQL's RUM extension for ranked search (see README, Search), from Debian's package for
# each PostgreSQL server installed here, when missing and we are root. Migration 0014 builds the
# index when the server has it; without it search ranks through GIN, slower on common words.
rum:
	@for version in $$(ls /usr/lib/postgresql 2>/dev/null); do \
		test -f /usr/share/postgresql/$$version/extension/rum.control && continue; \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq postgresql-$$version-rum >/dev/null; \
		else echo "ranked search is faster with apt-get install postgresql-$$version-rum"; fi; \
	done

# Debian's nginx, installed when missing and we are root (as .ci/run does for Chromium).
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
		else echo "make prod needs nginx: apt-get install nginx"; exit 1; fi; }

# The production stack on this machine: nginx on PORT in front of gunicorn, debug off (see
# README, Production). Uses DATABASE_URL or db.sqlite3 like `make run`; Ctrl-C stops it.
prod: install nginx
	DJANGO_DEBUG=false $(BIN)/python -m scripts.prod --port $(PORT)

# Starts the production stack on a free port with a throwaway copy of the archive and shows
# that slow clients do not stall it, a full export completes, the headers are there, logins
# lock out, and what a load of CONNECTIONS connections for LOAD_SECONDS seconds gets.
# DIALOGUES=N adds N synthetic dialogues; PROD_DB=postgres uses DATABASE_URL instead of SQLite.
LOAD_SECONDS ?= 60
CONNECTIONS ?= 64
DIALOGUES ?= 0
PROD_DB ?= sqlite
prod-check: install nginx
	DJANGO_DEBUG=false $(BIN)/python -m scripts.prod_check --db $(PROD_DB) \
		--dialogues $(DIALOGUES) --load-seconds $(LOAD_SECONDS) --connections $(CONNECTIONS)

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

bench: $(BENCH_STAMP) rum
	$(BIN)/python -m bench.run --size "$(SIZE)" --db "$(DB)" --duration "$(DURATION)" \
		--warmup "$(WARMUP)" --seed "$(SEED)" --worker-class "$(WORKER_CLASS)" --mode "$(MODE)" \
		$(if $(KINDS),--kinds "$(KINDS)") $(if $(filter 1 true yes,$(REBUILD)),--rebuild) \
		$(if $(filter 0 false no,$(DATASETTE)),--no-datasette)

# Times the bulk import of ROWS dialogues (a dry run, the import, a dry run of its export, the
# undo) in a throwaway database beside DATABASE_URL's (or SQLite's); see bench/import_timing.py.
ROWS ?= 10000
.PHONY: bench-import
bench-import: install
	$(BIN)/python -m bench.import_timing --rows $(ROWS)
