"""Reports for people who do not write SQL, read from the published file only.

data        one short read-only visit to par.duckdb; one unit's subtree and period
excel       the workbook (cover, a sheet per indicator group, late dossiers, warnings)
charts      the self-contained HTML page (Vega-Altair, vega-embed inlined)
terminal    `par report`: the table on the terminal, the files on request
generate    which reports the nightly run writes, and their progress
dbt_docs    the data dictionary (`dbt docs generate --static`) from a schema-only copy
periods, vn_format, paths   periods, Vietnamese formatting, file names
"""
