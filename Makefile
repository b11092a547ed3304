# One command to start the portal, one to test it. Everything else is a step of those two.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BOOTSTRAP_VERSION := 5.3.9
LEAFLET_VERSION := 1.9.4
TOPOJSON_CLIENT_VERSION := 3.1.0
WORLD_ATLAS_VERSION := 2.0.2
AXE_CORE_VERSION := 4.14.1
SWAGGER_UI_VERSION := 5.35.0

.DEFAULT_GOAL := run
.PHONY: run setup install messages migrations test bench soak lint format check-deploy vendor clean

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Compiled catalogues are built, not committed (msgfmt comes with gettext).
messages: install
	$(PY) manage.py compilemessages --ignore=.venv -v 0

setup: install messages
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_content
	$(PY) manage.py load_examples
	$(PY) manage.py ensure_admin
	$(PY) manage.py build_open_data

run: setup
	@echo "The portal runs at http://127.0.0.1:8000 (Ctrl-C stops it)."
	$(PY) manage.py runserver 127.0.0.1:8000

test: install messages
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

# Figures for notes and reviews, not pass/fail (bench/*.py say what they measure). The library's
# search, the dialogue at scale and the throughput against a bare Django view (which needs
# Debian's wrk and redis-server) are measured on PostgreSQL: the local server unless DATABASE_URL
# names another. Sending an issue of the newsletter to 10,000 readers is measured on both.
BENCH_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/asmpace)
bench: install messages
	$(PY) bench/pages.py
	$(PY) bench/downloads.py
	$(PY) bench/bucket_downloads.py
	$(PY) bench/weight.py
	$(PY) bench/mailing.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/library.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/dialogue.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/api_lists.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/telling.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/dump.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/throughput.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/harvest.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/mailing.py

# The soak of issue 14, pass/fail: 64 clients read and post through the real forms for 60 s while
# Redis is killed for 20 s and PostgreSQL stopped for 10 s; it fails on a 5xx outside the
# database outage, anything but 503 during it, a post answered as saved that is not (or the
# reverse), or a notification lost or sent twice. Every engine is its own, on free ports
# (initdb/pg_ctl, redis-server, gunicorn, a Celery worker, an SMTP sink): never the shared ones.
soak: install messages
	$(PY) bench/soak.py

# New migrations, formatted like the rest of the code (CI checks the format).
migrations: install
	$(PY) manage.py makemigrations
	$(VENV)/bin/ruff format --quiet */migrations/

# ruff, then the apps' layers (pyproject's [tool.importlinter]): no app imports one above it.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Pinned copies of front-end packages from the npm registry, committed under static/vendor/
# (and tests/browser/vendor/ for what only the tests use).
# Leaflet brings images/ (named by leaflet.css) and its source map (named by leaflet.js):
# collectstatic's manifest fails on a missing reference. world-atlas is Natural Earth's 1:110m
# country outlines (public domain), so that maps need no tile server. axe-core checks accessibility
# in the browser tests (tests/browser/test_accessibility.py) and is never served by the site.
# swagger-ui-dist draws the API's documentation page (/api/v1/docs) from its OpenAPI description.
vendor:
	rm -rf /tmp/asmpace-vendor && mkdir -p /tmp/asmpace-vendor
	cd /tmp/asmpace-vendor && npm pack --silent bootstrap@$(BOOTSTRAP_VERSION) && tar xzf bootstrap-$(BOOTSTRAP_VERSION).tgz
	mkdir -p static/vendor/bootstrap-$(BOOTSTRAP_VERSION)
	cp /tmp/asmpace-vendor/package/dist/css/bootstrap.min.css /tmp/asmpace-vendor/package/dist/css/bootstrap.min.css.map /tmp/asmpace-vendor/package/LICENSE static/vendor/bootstrap-$(BOOTSTRAP_VERSION)/
	rm -rf /tmp/asmpace-vendor/package && cd /tmp/asmpace-vendor && npm pack --silent leaflet@$(LEAFLET_VERSION) && tar xzf leaflet-$(LEAFLET_VERSION).tgz
	rm -rf static/vendor/leaflet-$(LEAFLET_VERSION) && mkdir -p static/vendor/leaflet-$(LEAFLET_VERSION)
	cp -R /tmp/asmpace-vendor/package/dist/leaflet.js /tmp/asmpace-vendor/package/dist/leaflet.js.map /tmp/asmpace-vendor/package/dist/leaflet.css /tmp/asmpace-vendor/package/dist/images /tmp/asmpace-vendor/package/LICENSE static/vendor/leaflet-$(LEAFLET_VERSION)/
	rm -rf /tmp/asmpace-vendor/package && cd /tmp/asmpace-vendor && npm pack --silent topojson-client@$(TOPOJSON_CLIENT_VERSION) && tar xzf topojson-client-$(TOPOJSON_CLIENT_VERSION).tgz
	mkdir -p static/vendor/topojson-client-$(TOPOJSON_CLIENT_VERSION)
	cp /tmp/asmpace-vendor/package/dist/topojson-client.min.js /tmp/asmpace-vendor/package/LICENSE static/vendor/topojson-client-$(TOPOJSON_CLIENT_VERSION)/
	rm -rf /tmp/asmpace-vendor/package && cd /tmp/asmpace-vendor && npm pack --silent world-atlas@$(WORLD_ATLAS_VERSION) && tar xzf world-atlas-$(WORLD_ATLAS_VERSION).tgz
	mkdir -p static/vendor/world-atlas-$(WORLD_ATLAS_VERSION)
	cp /tmp/asmpace-vendor/package/countries-110m.json /tmp/asmpace-vendor/package/LICENSE static/vendor/world-atlas-$(WORLD_ATLAS_VERSION)/
	rm -rf /tmp/asmpace-vendor/package && cd /tmp/asmpace-vendor && npm pack --silent axe-core@$(AXE_CORE_VERSION) && tar xzf axe-core-$(AXE_CORE_VERSION).tgz
	mkdir -p tests/browser/vendor/axe-core-$(AXE_CORE_VERSION)
	cp /tmp/asmpace-vendor/package/axe.min.js /tmp/asmpace-vendor/package/LICENSE tests/browser/vendor/axe-core-$(AXE_CORE_VERSION)/
	rm -rf /tmp/asmpace-vendor/package && cd /tmp/asmpace-vendor && npm pack --silent swagger-ui-dist@$(SWAGGER_UI_VERSION) && tar xzf swagger-ui-dist-$(SWAGGER_UI_VERSION).tgz
	mkdir -p static/vendor/swagger-ui-dist-$(SWAGGER_UI_VERSION)
	cp /tmp/asmpace-vendor/package/swagger-ui-bundle.js /tmp/asmpace-vendor/package/swagger-ui-bundle.js.LICENSE.txt /tmp/asmpace-vendor/package/swagger-ui.css /tmp/asmpace-vendor/package/swagger-ui.css.map /tmp/asmpace-vendor/package/LICENSE /tmp/asmpace-vendor/package/NOTICE static/vendor/swagger-ui-dist-$(SWAGGER_UI_VERSION)/

clean:
	rm -rf $(VENV) staticfiles
