"""The code location's definitions, one module per part.

dagster-dbt is imported here, before any of them, without dbt-core
(`pipelines/lib/dagster_dbt_lean.py`): ~1.1 s off every run's start-up."""

from pipelines.lib.dagster_dbt_lean import import_dagster_dbt

import_dagster_dbt()
