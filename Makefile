# SS — the two commands: `make up` (local stack + example job) and `make test` (everything).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# pyenv honours .python-version (3.12); fall back to python3.12 on PATH.
PYTHON ?= $(shell command -v pyenv >/dev/null 2>&1 && pyenv which python3.12 2>/dev/null || command -v python3.12 || echo python3)

.PHONY: venv up down test lint typecheck unit manifest lock clean

$(VENV)/.installed: requirements/dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 12), f"need Python 3.12, got {sys.version}"'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	$(VENV)/bin/pip check
	touch $@

venv: $(VENV)/.installed

up: venv
	@mkdir -p .dev
	set -a; source dev/stack.env; set +a; exec $(VENV)/bin/honcho -f dev/Procfile -d . start

down:
	-@pkill -TERM -f "honcho -f dev/Procfile" || true

lint: venv
	$(VENV)/bin/ruff check .
	$(PY) -m libs.templates manifest --check

typecheck: venv
	$(VENV)/bin/mypy

unit: venv
	$(VENV)/bin/pytest -q

test: lint typecheck unit

manifest: venv
	$(PY) -m libs.templates manifest

lock: venv  ## re-pin requirements/*.txt from *.in (ARGS=--upgrade or --upgrade-package X)
	requirements/lock.sh $(ARGS)

clean:
	rm -rf .dev
