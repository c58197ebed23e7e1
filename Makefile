# Two commands on a fresh machine: `make run` and `make test` (both install into .venv first).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCES ?= seeds
WAREHOUSE ?= warehouse

.PHONY: install unicode-data run test serve eval eval-seeds bench clean

install: $(STAMP) unicode-data

# System data: Unicode's Unihan variant table (variant folding in tasks/cleaning/charfold.py), from Debian's unicode-data.
UNIHAN := /usr/share/unicode/Unihan_Variants.txt.bz2
unicode-data:
	@test -e $(UNIHAN) || test -e /usr/share/unicode/Unihan_Variants.txt \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq \
	       && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unicode-data >/dev/null; } \
	  || echo "unicode-data could not be installed: run 'apt-get install -y unicode-data' as root (variant folding needs it)"

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $(STAMP)

run: $(STAMP) unicode-data
	$(BIN)/bulletin-etl run --sources $(SOURCES) --warehouse $(WAREHOUSE)

test: $(STAMP) unicode-data
	$(BIN)/python -m pytest

serve: $(STAMP)
	$(BIN)/bulletin-etl serve --warehouse $(WAREHOUSE)

# make eval SET=dev2 (default dev): extraction and published values on a labelled corpus from ../shared.
SET ?= dev
CORPUS = ../shared/corpus/$(SET)
eval: $(STAMP) unicode-data
	$(BIN)/python benchmarks/eval_corpus.py --sources $(CORPUS)/docs --labels $(CORPUS)/labels.csv --official $(CORPUS)/official_values.csv

eval-seeds: $(STAMP) unicode-data
	$(BIN)/python benchmarks/eval_corpus.py --sources seeds --labels ../shared/seeds/labels.csv --official ../shared/seeds/expected_release_2024.csv --release-year 2024

# make bench [SIZES="1000 5000 20000"]: the real CLI on generated corpora (benchmarks/bench_scale.py; JSON in
# benchmarks/results/bench_scale.json).
SIZES ?= 1000 5000 20000
bench: $(STAMP) unicode-data
	$(BIN)/python benchmarks/bench_scale.py --sizes $(SIZES)

clean:
	rm -rf $(VENV) build *.egg-info
