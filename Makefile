# Gerai: `make run` for the demo shop, `make test` for the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000

.PHONY: run test lint format clean bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed-app: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed-app

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

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

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
