# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
PYTEST_ARGS ?=

.PHONY: run test install lint clean translations bench bench-quick

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

# On a fresh machine `sijil keys init` makes the secret key file (SIJIL_SECRET_KEY_FILE,
# default ~/.config/sijil/secret.key, mode 0600, outside the data folder) and says where;
# the audit trail is signed with it. On an empty database `sijil ui` prints the one-time
# setup code the first-admin page asks for. It listens on SIJIL_HOST (default 127.0.0.1,
# this computer only).
run: $(VENV)/.installed
	$(BIN)/sijil keys init
	$(BIN)/sijil db upgrade
	$(BIN)/sijil ui --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Extract the messages of records/ and ui/ into the template, merge it into the Arabic and
# Sorani catalogues (their translations are kept) and compile them; the .mo files are committed
# so `make run` needs nothing more.
LOCALES := ar ckb
translations: $(VENV)/.installed
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords "_ ngettext:1,2 N_" \
		--no-location --sort-output --project Sijil --msgid-bugs-address "" \
		--output-file records/locale/sijil.pot records ui
	for lang in $(LOCALES); do \
		if [ -f records/locale/$$lang/LC_MESSAGES/sijil.po ]; then \
			$(BIN)/pybabel update --domain sijil --input-file records/locale/sijil.pot \
				--output-dir records/locale --locale $$lang --no-fuzzy-matching; \
		else \
			$(BIN)/pybabel init --domain sijil --input-file records/locale/sijil.pot \
				--output-dir records/locale --locale $$lang; \
		fi; \
	done
	$(BIN)/pybabel compile --domain sijil --directory records/locale --use-fuzzy --statistics

# The performance table (README, "Performance"): demo data of BENCH_SIZE incidents, each
# case against what users would use instead; BENCH_ARGS="--postgres URL" adds PostgreSQL.
# bench-quick runs every case small, in under two minutes; a timing never fails it.
BENCH_SIZE ?= 10000
BENCH_ARGS ?=
$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,bench]"
	touch $@ $(VENV)/.installed

bench: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks --size $(BENCH_SIZE) $(BENCH_ARGS)

bench-quick: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks --quick $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
