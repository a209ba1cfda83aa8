# Two commands: `make run` talks to the skill in a terminal; `make test` runs the checks.
# Both create .venv and install the pinned requirements on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test model lambda

$(STAMP): requirements.txt requirements-lambda.txt requirements-dev.txt
	@python3 -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt >&2
	@touch $(STAMP)

run: $(STAMP)
	@$(PY) -m skill chat

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m skill check
	$(PY) -m pytest

model: $(STAMP)
	$(PY) -m skill model

# The AWS Lambda zip, build/lambda.zip (--arch arm64 for a Graviton function: see README).
lambda: $(STAMP)
	$(PY) -m skill lambda
