# entityresolution-jobs: make demo | make test | make check | make bench | make docs
# make bench-instructions: instructions per call and per short process, on the async pin's botocore and the newest.
# make bench-cli: er-jobs' wall time against the AWS CLI's on the same fake (the CLI in .venv-awscli).
# make bench-output: streaming a job's output records against a hand-written loop.
# make bench-download: downloading 512 MiB of output through a modelled network, against aws s3 sync.
# make bench-airflow: 100 deferred waits in one triggerer-style event loop (needs Airflow).
# make test-lowest: the tests on the lowest dependency versions pyproject.toml allows.
# make test-pythons: the tests on every other Python version pyproject.toml declares.
# make test-airflow: the Airflow operators, tested through Airflow on Amazon MWAA's lines, installed as MWAA does.
# make docs-browser: the built docs site opened in headless Chromium (part of check).
# make mwaa: would .[airflow] install on every MWAA line under its own constraint files (a dry run; part of check)?
# make test-aws-cli: er-jobs and the AWS CLI side by side on the same fake (the CLI in .venv-awscli),
#   and the testing page's samples, whose shell ones call the AWS CLI.
# Every target creates .venv and installs .[dev] into it first if needed (demo: .[cli,testing]).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-dev
LOWEST := .venv-lowest
LOWEST_INSTALLED := $(LOWEST)/.installed-dev
NEWEST := .venv-botocore-newest
SOURCES := src tests tests-airflow benchmarks examples .ci conftest.py docs/hooks.py

.PHONY: demo test test-lowest test-pythons test-airflow test-aws-cli check mwaa lint types docs docs-browser dist workflows bench bench-instructions bench-cli bench-output bench-download bench-airflow clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The demo needs the cli and testing extras only, not the development tools.
$(VENV)/.installed-demo: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[cli,testing]'
	touch $@

demo: $(VENV)/.installed-demo
	$(BIN)/er-jobs demo

# coverage runs pytest (not pytest-cov) so that it also measures the modules
# pytest imports before any test: this package's own pytest plugin.
test: $(INSTALLED)
	$(BIN)/coverage run -m pytest
	$(BIN)/coverage report

# Every floor we declare is a floor we test (needs Python >= 3.11 for tomllib).
$(LOWEST_INSTALLED): pyproject.toml .ci/lowest_constraints.py
	test -x $(LOWEST)/bin/python || $(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet --upgrade pip
	$(LOWEST)/bin/python .ci/lowest_constraints.py > $(LOWEST)/constraints.txt
	$(LOWEST)/bin/python -m pip install --quiet -e '.[dev]' -c $(LOWEST)/constraints.txt
	touch $@

test-lowest: $(LOWEST_INSTALLED)
	$(LOWEST)/bin/python -m pip freeze 2>/dev/null | grep -iE '^(boto3|botocore|pydantic|moto|typer|rich|aiobotocore)=='
	$(LOWEST)/bin/python -m pytest -p no:cacheprovider

# Each declared Python but the default gets its own .venv-X.Y; a version
# whose interpreter is absent is skipped, and the output says so.
test-pythons:
	bash .ci/test_pythons.sh

# Airflow is a large install, kept out of .venv: an environment per tested
# Amazon MWAA line (.ci/airflow-lines.txt), on its image's Python, installed
# under MWAA's unmodified constraint files (.ci/mwaa/).
test-airflow:
	bash .ci/test_airflow.sh

# The AWS CLI (v1, pinned) in its own environment: it brings its own
# dependencies, and the comparison should not depend on ours.
AWSCLI := .venv-awscli
AWSCLI_VERSION := 1.46.3

$(AWSCLI)/.installed:
	test -x $(AWSCLI)/bin/python || $(PYTHON) -m venv $(AWSCLI)
	$(AWSCLI)/bin/python -m pip install --quiet 'awscli==$(AWSCLI_VERSION)'
	touch $@

test-aws-cli: $(INSTALLED) $(AWSCLI)/.installed
	$(AWSCLI)/bin/aws --version
	ER_JOBS_AWS_CLI=$(CURDIR)/$(AWSCLI)/bin/aws $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/test_side_by_side_with_aws_cli.py docs/testing.md

check: lint types docs docs-browser dist workflows mwaa

# pip install --dry-run of Airflow and .[airflow] under each MWAA line's files,
# on that line's Python; fails on any line from the oldest tested one that does not resolve.
mwaa:
	bash .ci/mwaa_dry_run.sh

lint: $(INSTALLED)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

# pyright again as the newest Python we declare (only 3.11 runs here): it
# knows each version's standard library, removed modules included.
types: $(INSTALLED)
	$(BIN)/mypy
	$(BIN)/pyright
	$(BIN)/pyright --pythonversion 3.13

# The wheel and sdist as a release would build them, checked as PyPI would.
dist: $(INSTALLED)
	rm -rf .dist
	$(BIN)/python -m hatchling build -d .dist
	$(BIN)/twine check --strict .dist/*

# The GitHub Actions workflow cannot run here; its syntax and expressions are linted.
workflows: $(INSTALLED)
	$(BIN)/actionlint .github/workflows/*.yml

docs: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir .site

# The built site in a real browser (Debian's headless Chromium, installed if
# absent): every page shows a code block where its markdown has one.
docs-browser: docs
	bash .ci/ensure_chromium.sh
	$(BIN)/python .ci/docs_in_browser.py .site

bench: $(INSTALLED) $(NEWEST)/.installed $(AWSCLI)/.installed
	cd benchmarks && ../$(BIN)/python call_overhead.py && ../$(BIN)/python overhead_parts.py \
		&& ../$(BIN)/python call_instructions.py --newest ../$(NEWEST)/bin/python \
		&& ../$(BIN)/python cold_process.py --newest ../$(NEWEST)/bin/python \
		&& ../$(BIN)/python import_time.py && ../$(BIN)/python cli_startup.py ../$(AWSCLI)/bin/aws \
		&& ../$(BIN)/python waiter_polling.py && ../$(BIN)/python estimate_accuracy.py \
		&& ../$(BIN)/python async_concurrency.py \
		&& ../$(BIN)/python output_records.py && ../$(BIN)/python output_download.py ../$(AWSCLI)/bin/aws

# The newest boto3 and botocore, as `pip install entityresolution-jobs` without
# the async extra gets them today (aiobotocore holds .venv's botocore back).
$(NEWEST)/.installed: pyproject.toml
	test -x $(NEWEST)/bin/python || $(PYTHON) -m venv $(NEWEST)
	$(NEWEST)/bin/python -m pip install --quiet --upgrade pip
	$(NEWEST)/bin/python -m pip install --quiet --upgrade -e . boto3 botocore
	$(NEWEST)/bin/python -m pip freeze 2>/dev/null | grep -iE '^(boto3|botocore|pydantic)=='
	touch $@

# Instructions (callgrind) per call and per short process, on both botocores; CI runs it.
bench-instructions: $(INSTALLED) $(NEWEST)/.installed
	cd benchmarks && ../$(BIN)/python call_instructions.py --newest ../$(NEWEST)/bin/python \
		&& ../$(BIN)/python cold_process.py --newest ../$(NEWEST)/bin/python

# er-jobs get/wait against the AWS CLI's command on the same local fake, wall time.
bench-cli: $(INSTALLED) $(AWSCLI)/.installed
	cd benchmarks && ../$(BIN)/python cli_startup.py ../$(AWSCLI)/bin/aws

# Streaming a job's output: time per row against a hand-written loop, memory at 10 and 100 MB.
bench-output: $(INSTALLED)
	cd benchmarks && ../$(BIN)/python output_records.py

# Downloading a job's output (512 MiB, 16 parts) through a proxy of 25 MB/s per connection
# and 30 ms to first byte: the library, er-jobs and aws s3 sync, wall time, MB/s, peak memory.
bench-download: $(INSTALLED) $(AWSCLI)/.installed
	cd benchmarks && ../$(BIN)/python output_download.py ../$(AWSCLI)/bin/aws

# The triggerer benchmark needs Airflow: it runs in the newest tested MWAA line's environment.
AIRFLOW_NEWEST := $(shell awk '$$3 == "test" { line = $$1 } END { print line }' .ci/airflow-lines.txt)
bench-airflow:
	test -x .venv-airflow-$(AIRFLOW_NEWEST)/bin/python || bash .ci/test_airflow.sh $(AIRFLOW_NEWEST)
	cd benchmarks && ../.venv-airflow-$(AIRFLOW_NEWEST)/bin/python triggerer_waits.py

clean:
	rm -rf $(VENV) $(LOWEST) $(AWSCLI) $(NEWEST) .venv-airflow-* .venv-resolve-* .venv-3.* .site .dist .coverage .mypy_cache .pytest_cache .ruff_cache
