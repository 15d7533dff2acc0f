# Một Cửa — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: run test venv lint format migrate seed check typecheck lock bench clean screenshots

$(STAMP): requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements/dev.txt
	touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --dossiers 400
	$(BIN)/python manage.py serve

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: venv
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

# mypy with django-stubs ([tool.mypy] in pyproject.toml); CI runs it (.ci/run) and it must report no error.
typecheck: venv
	$(BIN)/mypy dossiers feedback portal integrations payments citizens edocs

# Re-pin requirements/*.txt from the *.in files in a clean virtualenv.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q -r requirements/base.in
	.lock-venv/bin/pip freeze --exclude-editable | sort > requirements/base.txt
	.lock-venv/bin/pip install -q -r requirements/dev.in
	.lock-venv/bin/pip freeze --exclude-editable | sort | comm -23 - requirements/base.txt \
		| sed '1i -r base.txt' > requirements/dev.txt
	rm -rf .lock-venv

bench: venv
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf var .pytest_cache .ruff_cache

# Re-take the README's screenshots (the browser tests write them to docs/screenshots/).
screenshots: venv
	SAVE_SCREENSHOTS=1 $(BIN)/python -m pytest -m browser $(PYTEST_ARGS)
