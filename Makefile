# Gerai: `make run` for the demo shop, `make test` for the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000

.PHONY: run test lint format clean bench soak lock

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Every package at the version and hash the lock file names (requirements.lock for the app,
# requirements-test.lock for tests and CI; `make lock` writes both from pyproject.toml), then
# the project itself without resolving anything more. Reinstall only when a lock changes.
$(VENV)/.installed-app: requirements.lock pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements-test.lock pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements-test.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-app

# Rewrites the lock files after a change of pyproject.toml; indirect dependencies keep their
# versions unless LOCK_ARGS=--upgrade. pip-tools runs in a throwaway virtualenv of its own.
PIP_TOOLS ?= pip-tools==7.6.2
PIP_COMPILE_ARGS := --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

lock:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip "$(PIP_TOOLS)" && \
	export CUSTOM_COMPILE_COMMAND="make lock" && \
	"$$tmp/venv/bin/pip-compile" $(PIP_COMPILE_ARGS) -o requirements.lock pyproject.toml && \
	"$$tmp/venv/bin/pip-compile" $(PIP_COMPILE_ARGS) --extra test -o requirements-test.lock \
		pyproject.toml

run: $(VENV)/.installed-app
	$(PY) manage.py migrate --no-input
	$(PY) manage.py run_demo --addr $(ADDR)

# Browser tests drive Debian's Chromium; Playwright never downloads a browser.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq chromium

test: $(VENV)/.installed-test $(CHROMIUM)
	$(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks with budgets (bench/budgets.py); writes bench/results.md. Load from Debian's wrk.
WRK := /usr/bin/wrk

$(WRK):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq wrk

bench: $(VENV)/.installed-app $(WRK)
	$(PY) -m bench.run

# A few minutes of concurrent customers while isipay's prices move and it misbehaves; checks
# every promise at the end (bench/soak.py). SOAK_SECONDS sets the length (default 180).
soak: $(VENV)/.installed-app
	$(PY) -m bench.soak

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf .run staticfiles .pytest_cache .ruff_cache

# Backup of the docker compose PostgreSQL into backups/gerai-YYYYmmdd-HHMMSS.dump (pg_dump's
# custom format; README "Backups" shows the restore). Nothing is left behind if pg_dump fails.
.PHONY: backup
backup:
	@mkdir -p backups
	@file=backups/gerai-$$(date +%Y%m%d-%H%M%S).dump; \
	if docker compose exec -T postgres sh -c \
		'pg_dump -U "$$POSTGRES_USER" -d "$$POSTGRES_DB" --format=custom' > "$$file.partial"; \
	then mv "$$file.partial" "$$file" && echo "Backup written to $$file"; \
	else rm -f "$$file.partial"; echo "Backup failed: is the stack up (docker compose ps)?" >&2; exit 1; fi
