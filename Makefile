# Every target sets itself up on a fresh machine: it creates .venv with the machine's python3
# and installs the project with its dev and speedups extras when they are missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: all build test lint typecheck pytest typetests docs demo bench bench-ref bench-parser bench-server bench-client stubs clean

all: test

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,speedups]'
	touch $(STAMP)

# build: the mypyc-compiled modules (setup.py) exist and match their sources, else rebuild them;
# a build that still runs from source fails here (AIOHTTP_NO_EXTENSIONS=1 skips compiling).
export COMPILED_CHECK := import sys, aiohttp._extensions as e; print("compiled" if e.COMPILED else "source"); sys.exit(not e.COMPILED)
build: $(STAMP)
	@if [ -n "$$AIOHTTP_NO_EXTENSIONS" ]; then echo "AIOHTTP_NO_EXTENSIONS set: pure Python"; \
	elif ! $(PY) -W ignore -c "$$COMPILED_CHECK" >/dev/null; then \
		echo "building the compiled modules (mypyc)"; \
		$(PY) -m pip install -q --no-deps --no-build-isolation -e . && \
		$(PY) -c "$$COMPILED_CHECK"; \
	fi

test: build
	$(MAKE) lint typecheck pytest typetests docs

lint: $(STAMP)
	$(PY) -m ruff check setup.py aiohttp tests typetests examples bench docs
	$(PY) -m ruff format --check setup.py aiohttp tests typetests examples bench docs

typecheck: $(STAMP)
	$(PY) -m mypy

pytest: build
	$(PY) -m pytest -q -n 2 -p no:cacheprovider

typetests: build
	$(PY) -m pytest -q -p no:cacheprovider typetests --mypy-ini-file=mypy.ini

docs: build
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html

demo: build
	$(PY) examples/web_demo.py

# bench runs the three benchmarks one after another (never in parallel: they share the CPUs)
bench: bench-ref
	$(MAKE) bench-parser
	$(MAKE) bench-server
	$(MAKE) bench-client

bench-ref: build
	test -x bench/.venv-ref/bin/python || $(PYTHON) -m venv bench/.venv-ref
	test -f bench/.venv-ref/.installed || (bench/.venv-ref/bin/pip install -q 'aiohttp==3.13.3' && touch bench/.venv-ref/.installed)

bench-parser: bench-ref
	$(PY) bench/run.py

bench-server: bench-ref
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(PY) bench/run_server.py

bench-client: bench-ref
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update && apt-get install -y nginx)
	$(PY) bench/run_client.py

stubs: $(STAMP)
	$(PY) typings/regen.py

clean:
	rm -rf $(VENV) docs/_build .mypy_cache .pytest_cache .ruff_cache build
	find aiohttp -name "*.so" -delete; rm -f aiohttp/_mypyc_manifest.json
