# tapewire: `make demo` (the main job, offline) and `make test`. The Makefile bootstraps .venv
# itself from plain python3 (>= 3.11) on a fresh machine, and reinstalls when pyproject changes.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install demo test check lint type format docs bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: install            ## the main job: simulated market, whole pipeline, site on http://127.0.0.1:8765/
	$(VENV)/bin/tapewire demo

test: install            ## what CI runs (through .ci/run) and what README tells users
	$(PY) -m pytest -n 2 --dist loadfile

lint: install
	$(PY) -m ruff format --check src tests
	$(PY) -m ruff check src tests

type: install
	$(PY) -m mypy

format: install
	$(PY) -m ruff format src tests
	$(PY) -m ruff check --fix src tests

bench: install           ## every benchmark (see bench/README.md)
	$(PY) bench/ingest/run.py
	$(PY) bench/sentiment/run.py
	$(PY) bench/stories/run.py
	$(PY) bench/web/run.py
	$(PY) bench/indicators/run.py
	$(PY) bench/levels_quality/run.py
	$(PY) bench/linking/run.py
	$(PY) bench/themes/run.py
	$(PY) bench/writing/run.py
	$(PY) bench/scorecard/run.py --jobs 2
	$(PY) bench/pipeline/run.py
	$(PY) bench/cli/run.py

docs: install            ## regenerate docs/cli.md and docs/settings.md
	$(PY) scripts/gen_docs.py

check: lint type test

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
