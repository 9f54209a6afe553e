# SS — the two commands: `make up` (local stack + example job) and `make test` (everything).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# pyenv honours .python-version (3.12); fall back to python3.12 on PATH.
PYTHON ?= $(shell command -v pyenv >/dev/null 2>&1 && pyenv which python3.12 2>/dev/null || command -v python3.12 || echo python3)

.PHONY: sysdeps venv up down test lint typecheck unit docs lock clean k8s-local-auth

# The system packages SS needs beyond Python: a CJK font for PDF reports and charts (Chinese
# labels; the formatter image installs the same package), kubectl, whose built-in
# Kustomize renders the Kubernetes manifests the tests validate (tests/deploy), and Chromium
# with its WebDriver, the real browser the web console's tests drive (tests/console).
sysdeps:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  echo "installing fonts-wqy-microhei (CJK font for PDF reports)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei fontconfig) \
	  || echo "WARNING: could not install fonts-wqy-microhei: PDF reports with Chinese text will fail"; }
	@command -v kubectl >/dev/null || { \
	  echo "installing kubectl (renders deploy/k8s with its built-in Kustomize)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubectl) \
	  || echo "WARNING: could not install kubectl: the Kubernetes manifest tests will fail"; }
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "installing chromium and chromium-driver (the web console's browser tests)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
	  || echo "WARNING: could not install chromium: the web console's browser tests will fail"; }

$(VENV)/.installed: requirements/dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 12), f"need Python 3.12, got {sys.version}"'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	$(VENV)/bin/pip install --quiet --no-deps --no-build-isolation --no-index -e .
	$(VENV)/bin/pip check
	touch $@

venv: sysdeps $(VENV)/.installed

# dev/stack.env gives each setting the environment has not set already (so SS_API_PORT=8001
# make up moves the API). `exec` makes honcho the shell's process, so $$ is its pid: `make down` stops exactly that
# honcho (which stops every process of the Procfile), never another checkout's stack.
# STACK_PID: where that pid is kept (tests/deploy/test_local_stack.py sets its own).
STACK_PID ?= .dev/honcho.pid

up: venv
	@mkdir -p $(dir $(STACK_PID))
	while IFS='=' read -r key value; do case "$$key" in ''|\#*) continue;; esac; \
	  [ -n "$${!key+set}" ] || export "$$key=$$value"; done < dev/stack.env; \
	  echo $$$$ > $(STACK_PID); \
	  exec $(VENV)/bin/honcho -f dev/Procfile -d . start

down:
	@pid=$$(cat $(STACK_PID) 2>/dev/null) || { echo "no stack started here"; exit 0; }; \
	  if tr '\0' ' ' < /proc/$$pid/cmdline 2>/dev/null | grep -q "honcho -f dev/Procfile"; then \
	    kill -TERM $$pid && echo "stopping the stack (honcho pid $$pid)"; \
	  else echo "the stack started here is not running"; fi; rm -f $(STACK_PID)

lint: venv
	$(VENV)/bin/ruff check .
	$(PY) -m libs.templates manifest --check
	$(PY) -m client.schemas --check
	$(PY) -m libs.settings --check README.md docs/deploy.md
	$(PY) -m libs.contracts.errors | diff -q - docs/errors.md

typecheck: venv
	$(VENV)/bin/mypy

unit: venv
	$(VENV)/bin/pytest -q

test: lint typecheck unit

# Regenerate every generated file: capability manifest, template catalogue, error codes,
# event schemas. `make lint` (and so CI) fails when one is stale.
docs: venv
	$(PY) -m libs.templates manifest
	$(PY) -m libs.contracts.errors > docs/errors.md
	$(PY) -m client.schemas
	$(PY) -m libs.settings --write README.md docs/deploy.md

lock: venv  ## re-pin requirements/*.txt from *.in (ARGS=--upgrade or --upgrade-package X)
	requirements/lock.sh $(ARGS)

# The NATS auth material the Kubernetes overlay deploy/k8s/overlays/local reads (operator and
# account keys, each service's credential, the account id): a throwaway folder on this machine,
# gitignored, made once (running it again keeps what exists). Production creates its Secrets out
# of band from a folder kept offline (docs/deploy.md, "Kubernetes", "Secrets").
K8S_LOCAL_AUTH := deploy/k8s/overlays/local/nats-auth
k8s-local-auth: venv
	$(PY) -m libs.bus.auth init $(K8S_LOCAL_AUTH)

clean:
	rm -rf .dev
