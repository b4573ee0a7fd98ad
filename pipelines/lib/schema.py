"""The raw layer's tables: one place that says which canonical columns each feed loads.

The parser produces frames with exactly these columns (plus the provenance columns), the
loader creates the DuckDB tables from them, and dbt's sources describe the same tables.
Coded values are stored as the contract's numeric codes, whichever dialect delivered them,
so that `Trực tuyến` in a CSV and `2` in a JSONL file land as the same value.
"""

from __future__ import annotations

FEEDS = ("procedures", "dossiers", "documents", "reports", "staff")

# Columns every raw feed table carries, so any row can be traced to the file it came from.
# source_row is the row number an operator sees when opening the file: for CSV and XLSX
# the header is row 1 and the first record row 2; for JSONL the first line is row 1.
PROVENANCE_COLUMNS: dict[str, str] = {
    "unit_code": "VARCHAR",
    "export_date": "DATE",
    "source_file": "VARCHAR",  # path relative to the landing folder, with forward slashes
    "source_row": "INTEGER",
}

FEED_COLUMNS: dict[str, dict[str, str]] = {
    "procedures": {
        "procedure_code": "VARCHAR",
        "procedure_name": "VARCHAR",
        "domain": "VARCHAR",
        "authority_level": "SMALLINT",  # 1 province, 2 district/city, 3 commune/ward
        "service_level": "VARCHAR",  # as delivered, normalised: '1'..'4', 'MP', 'TT'
        "processing_days": "INTEGER",  # null when the result is given on the spot
        "has_fee": "BOOLEAN",
        "decision_no": "VARCHAR",
        "decision_date": "DATE",
        "change_type": "SMALLINT",  # 1 new, 2 amended, 3 replacing, 4 abolished
        "effective_date": "DATE",
        "is_published": "BOOLEAN",
        "status": "SMALLINT",  # 1 in force, 0 abolished
    },
    "dossiers": {
        "dossier_code": "VARCHAR",
        "procedure_code": "VARCHAR",
        "channel": "SMALLINT",  # 1 in person, 2 online, 3 public postal service
        # HMAC-SHA256 (hex) of the ID number; names, phones and addresses are never kept.
        "applicant_id_hash": "VARCHAR",
        "applicant_id_kind": "VARCHAR",  # citizen_id (12 digits), old_id (9), tax_code, other
        "received_at": "TIMESTAMP",
        "due_at": "TIMESTAMP",
        "finished_at": "TIMESTAMP",
        "returned_at": "TIMESTAMP",
        "status": "SMALLINT",  # 1..10 as in the contract
        "supplement_count": "INTEGER",
        "apology_issued": "BOOLEAN",
        "paid_online": "BOOLEAN",
        "digitized": "BOOLEAN",
        "updated_at": "TIMESTAMP",
        # free text the desk gives for a late result (as on the apology letter), NFC; null
        # when blank and in older exports, which lack the column
        "late_reason": "VARCHAR",
    },
    "documents": {
        "document_number": "VARCHAR",
        "document_date": "DATE",
        "document_type": "VARCHAR",
        "summary": "VARCHAR",
        "signer": "VARCHAR",
        "recipient_kind": "SMALLINT",  # 1 state agency, 2 organisation or person
        "send_method": "SMALLINT",  # 1 fully electronic, 2 paper only, 3 electronic + paper
        "digitally_signed": "BOOLEAN",
        "classification": "SMALLINT",  # 0 ordinary, 1..3 classified
        "updated_at": "TIMESTAMP",
    },
    "reports": {
        "period": "VARCHAR",  # '2021', '2021-Q3' or '2021-07'
        "indicator_code": "VARCHAR",
        "scope": "VARCHAR",  # 'self' or 'area'
        "numerator": "DECIMAL(18,2)",
        "denominator": "DECIMAL(18,2)",
        "reported_rate": "DECIMAL(9,2)",
    },
    # A snapshot like procedures: each file is the unit's whole staff list on export_date.
    # The official's name (Họ và tên / HoTen) is personal data and never stored.
    "staff": {
        "staff_code": "VARCHAR",  # the unit's internal code, unique within the unit
        "position": "VARCHAR",
        "is_leader": "BOOLEAN",  # head or deputy of the unit or of one of its divisions
        "has_official_email": "BOOLEAN",  # has an official mailbox (hộp thư công vụ)
        "has_signing_certificate": "BOOLEAN",  # holds a digital-signature certificate/device
        "status": "SMALLINT",  # 1 serving (Đang công tác), 0 left (Đã nghỉ)
    },
}

# Columns a row cannot load without; a row missing one is set aside with the reason.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "procedures": ("procedure_code", "service_level", "status"),
    "dossiers": ("dossier_code", "procedure_code", "channel", "status", "updated_at"),
    "documents": ("document_number", "document_date", "send_method", "updated_at"),
    "reports": ("period", "indicator_code", "scope", "numerator"),
    "staff": ("staff_code", "status"),
}

# The registry (units.csv) as delivered: one row per validity interval of a code. A reused
# code has several rows that never overlap; a file's row is the one valid on its export date.
UNITS_COLUMNS: dict[str, str] = {
    "unit_code": "VARCHAR",  # 2 digits for a province, 3 for a city, 5 for a ward
    "unit_name": "VARCHAR",
    "unit_level": "VARCHAR",  # 'province', 'city' or 'ward'
    "parent_code": "VARCHAR",  # null for a top-level unit
    "valid_from": "DATE",
    "valid_to": "DATE",  # null while the unit exists
    "csv_encoding": "VARCHAR",  # 'utf-8', 'utf-8-sig' or 'cp1258'
}

# unit_successions.csv as delivered: one row per predecessor-successor pair.
UNIT_SUCCESSIONS_COLUMNS: dict[str, str] = {
    "effective_date": "DATE",  # the successor's first day; the predecessor's last is the day before
    "predecessor_code": "VARCHAR",
    "successor_code": "VARCHAR",
    "transfer": "VARCHAR",  # 'whole' or 'part'
}

# Where a registry row came from (source_file is units.csv or unit_successions.csv): the
# ledger's rows_loaded for a registry file counts these rows.
REGISTRY_PROVENANCE_COLUMNS: dict[str, str] = {
    "source_file": "VARCHAR",
    "source_row": "INTEGER",
}
UNITS_TABLE_COLUMNS: dict[str, str] = {**UNITS_COLUMNS, **REGISTRY_PROVENANCE_COLUMNS}
# raw tables the registry files load into (raw.<name>), as raw.<feed> for a feed file.
REGISTRY_TABLES = ("units", "unit_successions")
UNIT_SUCCESSIONS_TABLE_COLUMNS: dict[str, str] = {
    **UNIT_SUCCESSIONS_COLUMNS,
    **REGISTRY_PROVENANCE_COLUMNS,
}

# One row per entry under the landing folder: what came in and what became of it.
#  - a feed file: its unit, feed and export date from its path;
#  - a registry file (units.csv, unit_successions.csv): feed 'units' / 'unit_successions',
#    unit_code and export_date null; its rows load into raw.units / raw.unit_successions;
#  - an entry that is not a delivery (misplaced, a name that is not a date, a symbolic link,
#    a FIFO, a folder where a file belongs, a name that is not UTF-8): status 'rejected',
#    export_date null, unit_code / feed only when its path names a unit code / known feed,
#    never opened (sha256, size_bytes and rows_in null), one set-aside row with the reason;
#  - a feed file of a unit not in units.csv on its export date: rejected the same way, with
#    its unit, feed and date (tried again once the registry has it).
LEDGER_COLUMNS: dict[str, str] = {
    "source_file": "VARCHAR",  # relative to the landing folder, NFC; odd bytes as \xNN
    "unit_code": "VARCHAR",
    "feed": "VARCHAR",
    "export_date": "DATE",
    "file_format": "VARCHAR",  # csv, xlsx, jsonl
    "encoding": "VARCHAR",  # the encoding the file was actually decoded with
    "sha256": "VARCHAR",  # null: the file was not opened
    "size_bytes": "BIGINT",
    "rows_in": "INTEGER",  # records delivered (counted from the file, rejected ones too); null
    # when the file was not opened, is binary, or is an unreadable XLSX
    "rows_loaded": "INTEGER",
    "rows_set_aside": "INTEGER",
    "modified_ns": "BIGINT",  # mtime: the sensor's cursor; skip test only when unreadable
    "status": "VARCHAR",  # 'loaded' (possibly with rows set aside) or 'rejected'
    "error": "VARCHAR",  # why a rejected file could not be used (or notes on a loaded one)
    "loaded_at": "TIMESTAMP",
    "run_id": "VARCHAR",  # the Dagster run that loaded the file: checks validate what it loaded
}

# One row per record that could not load (or one per unreadable file, with source_row null).
SET_ASIDE_COLUMNS: dict[str, str] = {
    "source_file": "VARCHAR",
    "source_row": "INTEGER",
    "unit_code": "VARCHAR",
    "feed": "VARCHAR",
    "export_date": "DATE",
    "reason": "VARCHAR",
    "record": "VARCHAR",  # the delivered record as JSON, personal data removed or hashed
}


# Vietnam's public holidays, written by the ingest from the `holidays` package.
PUBLIC_HOLIDAYS_COLUMNS: dict[str, str] = {
    "holiday_date": "DATE",
    "holiday_name": "VARCHAR",
}


def feed_table_columns(feed: str) -> dict[str, str]:
    """All columns of raw.<feed>, provenance first."""
    return {**PROVENANCE_COLUMNS, **FEED_COLUMNS[feed]}
