# The two commands: `make run` (web + worker + beat on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
PDS_DIR := tests/fakes/bluesky_pds

.PHONY: run test venv venv-dev services-deps node-deps bench migrate clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q uv==0.13.8

venv: $(PY)
	$(UV) pip install -q --python $(PY) -r requirements.txt

venv-dev: $(PY)
	$(UV) pip install -q --python $(PY) -r requirements-dev.txt

migrate: venv
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

# exec: runall replaces the recipe's shell, so the SIGTERM make passes on to its child reaches it.
run: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py ensure_admin
	DEBUG=$${DEBUG:-1} exec $(PY) manage.py runall

# redis-server and ffmpeg from apt when missing (needs root); PostgreSQL 15 binaries are on the machine.
services-deps:
	@command -v redis-server >/dev/null && command -v ffprobe >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server ffmpeg >/dev/null; \
	  else echo "install redis-server and ffmpeg (apt-get install redis-server ffmpeg)"; exit 1; fi; }

node-deps:
	@[ -d tests/fakes/prism/node_modules/@stoplight ] || (cd tests/fakes/prism && npm ci --no-audit --no-fund --loglevel=error)
	@[ -d $(PDS_DIR)/node_modules/@atproto/pds ] || (cd $(PDS_DIR) && npm ci --no-audit --no-fund --loglevel=error)

test: venv-dev services-deps node-deps
	$(PY) -m tests.services $(PY) -m pytest $(PYTEST_ARGS)

bench: venv-dev services-deps
	$(PY) -m tests.services $(PY) bench/punctuality.py
	$(PY) -m tests.services $(PY) bench/crash_safety.py

clean:
	rm -rf $(VENV) var
