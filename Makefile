# Two commands on a fresh machine: `make run` and `make test` (both install into .venv first).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCES ?= seeds
WAREHOUSE ?= warehouse

.PHONY: install run test serve eval clean

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

eval: $(STAMP)
	$(BIN)/python benchmarks/eval_corpus.py --sources ../shared/corpus/dev/docs --labels ../shared/corpus/dev/labels.csv --official ../shared/corpus/dev/official_values.csv

clean:
	rm -rf $(VENV) build *.egg-info
