# CEJ Loire — developer commands. `make run` and `make test` need nothing but python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Development defaults; any of them can be overridden from the environment.
DEV_ENV := DEBUG=$${DEBUG:-true}
# PYTHONDONTWRITEBYTECODE (set on some machines, this one included) is cleared for the tests:
# each pytest worker then reads the test modules' assertion-rewritten bytecode instead of
# rewriting and compiling all of them (collection 7.1 s → 3.5 s of CPU per process), and
# the subprocesses (deployment, settings tests) import compiled modules.
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-tests-only-not-a-secret} PYTHONDONTWRITEBYTECODE=
# The tests' PostgreSQL sessions (pytest-django's database, the concurrency and deployment
# tests' subprocesses, through libpq) commit without waiting for the WAL flush: a commit
# costs ~0.2 ms instead of ~3 ms with fsync on, and the suite commits a lot (migrations,
# the world restored after each transactional test). Per session, no server change;
# a crash would lose the last commits of a throw-away test database. PGOPTIONS set in the
# environment wins.
TEST_PG_ENV := PGOPTIONS="$${PGOPTIONS--c synchronous_commit=off}"
# One pytest-xdist worker per core; tests sharing a slow session fixture (tests/deployment)
# stay on one worker (XDIST_GROUPS in tests/conftest.py). PYTEST_WORKERS=0: one process.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(PYTEST_WORKERS) --dist loadgroup
# The fast local loop leaves out what drives Chromium or starts other processes.
QUICK_SKIP = --ignore=tests/browser --ignore=tests/deployment \
	--deselect=tests/concurrency/test_on_postgresql.py::test_the_concurrency_tests_pass_on_postgresql

.PHONY: install run test test-quick lint format bench loadtest two-instances lock clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# The browser tests (tests/browser) inject axe-core from node_modules: installed once, from
# package-lock.json. Without npm they are skipped locally, and fail in CI.
test: install
	@test -d node_modules/axe-core || { \
	  if ! command -v npm >/dev/null 2>&1; then \
	    echo "npm not found: tests/browser needs node_modules/axe-core (npm ci)" >&2; \
	  elif test -f package-lock.json; then npm ci --no-audit --no-fund; \
	  else npm install --no-audit --no-fund; fi; }
	$(TEST_ENV) $(TEST_PG_ENV) $(BIN)/pytest $(PYTEST_PARALLEL) --durations=25 $(PYTEST_ARGS)

# SQLite, no browser, no subprocess suite (deployment, concurrency's PostgreSQL re-run).
test-quick: install
	$(TEST_ENV) DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 \
	  $(BIN)/pytest $(PYTEST_PARALLEL) $(QUICK_SKIP) --durations=10 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark on SQLite, then on PostgreSQL (BENCH_DATABASE_URL; empty: SQLite only),
# each on a throw-away test database with the demo and the scale data. Both always run;
# the target fails if either missed a target. BENCH_ROUNDS, BENCH_TERRITORIES: see
# benchmarks/__main__.py.
bench: install
	@status=0; \
	echo "== make bench: SQLite =="; \
	$(TEST_ENV) DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 $(BIN)/python -m benchmarks || status=1; \
	url="$${BENCH_DATABASE_URL-postgres://postgres@127.0.0.1:5432/cej_bench}"; \
	if [ -n "$$url" ]; then \
	  echo "== make bench: PostgreSQL ($$url) =="; \
	  $(TEST_ENV) DATABASE_URL="$$url" $(BIN)/python -m benchmarks || status=1; \
	fi; \
	exit $$status

# gunicorn + locust on the local PostgreSQL (database cej_loadtest), see benchmarks/loadtest.py.
loadtest: install
	$(BIN)/python -m benchmarks.loadtest

# Two gunicorn instances with production settings on a throw-away PostgreSQL database
# (cej_twoinst_<pid>, dropped after): sessions, writes, page caches, static files, proxy
# headers and lockouts checked across them. See deploy/two_instances.py.
two-instances: install
	$(BIN)/python -m deploy.two_instances

# Re-pin every dependency after editing pyproject.toml.
lock:
	rm -rf /tmp/cej-lock-venv && $(PYTHON) -m venv /tmp/cej-lock-venv
	/tmp/cej-lock-venv/bin/pip install --quiet --upgrade pip
	/tmp/cej-lock-venv/bin/pip install --quiet '.[dev]'
	{ echo '# Exact versions installed by `make install` (pip install -r requirements.lock).'; \
	  echo '# Regenerate with `make lock` after changing pyproject.toml.'; \
	  /tmp/cej-lock-venv/bin/pip freeze --exclude cej-loire; } > requirements.lock

clean:
	rm -rf $(VENV) db.sqlite3 var/ staticfiles/
