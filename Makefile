# Two commands on a fresh machine: `make run` and `make test` (both install into .venv first).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCES ?= seeds
WAREHOUSE ?= warehouse

.PHONY: install run test serve eval eval-seeds clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/bulletin-etl run --sources $(SOURCES) --warehouse $(WAREHOUSE)

test: $(STAMP)
	$(BIN)/python -m pytest

serve: $(STAMP)
	$(BIN)/bulletin-etl serve --warehouse $(WAREHOUSE)

# make eval SET=dev2 (default dev): extraction and published values on a labelled corpus from ../shared.
SET ?= dev
CORPUS = ../shared/corpus/$(SET)
eval: $(STAMP)
	$(BIN)/python benchmarks/eval_corpus.py --sources $(CORPUS)/docs --labels $(CORPUS)/labels.csv --official $(CORPUS)/official_values.csv

eval-seeds: $(STAMP)
	$(BIN)/python benchmarks/eval_corpus.py --sources seeds --labels ../shared/seeds/labels.csv --official ../shared/seeds/expected_release_2024.csv --release-year 2024

clean:
	rm -rf $(VENV) build *.egg-info
