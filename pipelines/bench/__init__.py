"""Benchmark helpers: what the warehouse's full build is measured against.

`baseline.run_baseline` is the practical floor: plain DuckDB reading the landing folder's
dossiers and documents into tables and computing the on-time rate by unit and month, with
no framework, no quarantine and no checks.
"""
