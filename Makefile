# PAR Warehouse. `make run` sets everything up and builds the warehouse; `make test` tests it.
# uv is bootstrapped from pip; every tool then runs from the project's .venv.

PYTHON ?= python3
UV := $(PYTHON) -m uv
BIN := .venv/bin
# Settings (PAR_WAREHOUSE_DIR, PAR_LANDING_DIR, ...) pass through the environment to `par`,
# which reads them once (pipelines/settings.py); nothing here derives a path from them.

# The Spark engine's packages (pyproject's `spark` extra: pyspark, dbt-spark) are installed
# when it is chosen (PAR_ENGINE=spark make run; make bench BENCH_ARGS="--engine spark"), and
# for `make test` where Java is installed, so that its test
# (tests/integration/test_spark_engine.py) runs; it skips without them. The default
# engine's install is unchanged. A stamp per set, so switching re-syncs.
SPARK := $(or $(filter spark,$(PAR_ENGINE)),$(findstring --engine spark,$(BENCH_ARGS)),$(and $(filter test,$(MAKECMDGOALS)),$(shell command -v java 2>/dev/null)))
SYNC_EXTRAS := $(if $(SPARK),--extra spark)
SYNCED := .venv/.synced$(if $(SPARK),-spark)

DBT_SOURCES := $(shell find dbt_project -type f \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' -o -name '*.md' \) -not -path '*/target/*' 2>/dev/null)
MANIFEST := dbt_project/target/manifest.json

.PHONY: setup manifest run test lint format ui bench clean

## setup: bootstrap uv, install the locked environment with compiled bytecode (and the
## spark extra when PAR_ENGINE=spark, or for `make test` where java is installed)
setup: $(SYNCED)

$(SYNCED): pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --compile-bytecode $(SYNC_EXTRAS)
	@rm -f .venv/.synced .venv/.synced-spark
	@touch $@

## manifest: parse the dbt project so Dagster can load it (never done at import)
manifest: $(MANIFEST)

$(MANIFEST): $(SYNCED) $(DBT_SOURCES)
	$(BIN)/par manifest
	@touch $@

## run: set up, write the sample landing folder if empty, ingest, build, check, publish
run: setup manifest
	$(BIN)/par run

## test: lint, then the whole test suite, one test module per worker on two workers (the
## integration modules each run the real pipeline; the machines have two cores)
test: setup manifest lint
	$(BIN)/pytest -n 2 --dist loadfile --durations=15

## lint: ruff (check + format) for Python, sqlfluff for the dbt models
lint: setup manifest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project --processes 2

## format: apply ruff's formatting and fixes
format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: the warehouse against plain DuckDB on a generated province (README: Benchmark).
## The first run generates the `province` preset (~10M dossier rows) into warehouse/bench/;
## a quick one: make bench BENCH_ARGS="--units 10 --days 30"
bench: setup manifest
	$(BIN)/python -m pipelines.bench $(BENCH_ARGS)

## ui: the Dagster UI on http://127.0.0.1:3000, its home in $PAR_WAREHOUSE_DIR/dagster_home
ui: setup manifest
	$(BIN)/par ui

clean:
	rm -rf dbt_project/target warehouse/build.duckdb warehouse/par.duckdb warehouse/dagster_home
