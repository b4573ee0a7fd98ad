{#
    The Spark target's raw layer: the build file's raw tables, exported as Parquet by
    pipelines/lib/spark_engine.py into PAR_SPARK_DIR/raw/<table>/, registered as the tables
    of Spark's `raw` database (the schema of the source ward_exports) before the models run
    (on-run-start). Each is dropped and created again over its folder, so a column the
    ingest added is seen; dropping an external table leaves its files. A table partitioned
    by export month (export_month=YYYY-MM folders) has its partitions recovered. On any
    other target this does nothing: the raw tables are the build file's own.
#}
{% macro register_raw_tables() -%}
    {%- if execute and target.type == 'spark' -%}
        {%- set raw_dir = env_var('PAR_SPARK_DIR', '../warehouse/spark') ~ '/raw' -%}
        {%- set schema = 'raw' -%}
        {%- do run_query('create database if not exists ' ~ schema) -%}
        {%- for source in graph.sources.values() if source.source_name == 'ward_exports' -%}
            {%- set relation = schema ~ '.' ~ source.identifier -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query(
                'create table ' ~ relation ~ " using parquet location '"
                ~ raw_dir ~ '/' ~ source.identifier ~ "'"
            ) -%}
            {%- set described = run_query('describe table ' ~ relation) -%}
            {%- if '# Partition Information' in described.columns[0].values() -%}
                {%- do run_query('msck repair table ' ~ relation) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
