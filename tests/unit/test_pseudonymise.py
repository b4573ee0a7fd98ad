import hashlib
import hmac
import stat

import polars as pl
import pytest

from pipelines.lib.pseudonymise import (
    Pseudonymiser,
    id_kind,
    id_kind_expr,
    load_or_create_key,
    normalise_id,
)

KEY = bytes(range(32))


def test_key_created_once_with_private_mode(tmp_path):
    path = tmp_path / "secrets" / "pseudonym.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == key.hex()
    assert load_or_create_key(path) == key  # never overwritten


def test_bad_key_file_is_an_error_not_replaced(tmp_path):
    path = tmp_path / "k"
    path.write_text("not hex")
    with pytest.raises(ValueError, match="not hex"):
        load_or_create_key(path)
    assert path.read_text() == "not hex"


def test_hash_is_hmac_of_normalised_number():
    p = Pseudonymiser(KEY)
    expected = hmac.new(KEY, b"093190123456", hashlib.sha256).hexdigest()
    assert p.hash_id("093190123456") == expected
    assert p.hash_id(" 0931.9012-3456 ") == expected
    assert normalise_id("0123456789-001") == "0123456789001"
    assert Pseudonymiser(bytes(32)).hash_id("093190123456") != expected  # keyed


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("093190123456", "citizen_id"),
        ("0931 9012 3456", "citizen_id"),
        ("361234567", "old_id"),
        ("1801234567", "tax_code"),
        ("1801234567-001", "tax_code"),
        ("B1234567", "other"),
        ("12345", "other"),
    ],
)
def test_id_kind(number, kind):
    assert id_kind(number) == kind
    assert pl.select(id_kind_expr(pl.lit(number))).item() == kind


def test_vectorised_versions_match_and_keep_nulls():
    p = Pseudonymiser(KEY)
    ids = pl.Series("id", ["093190123456", None, "0931.9012.3456", " ", "1801234567-001"])
    assert p.hash_series(ids).to_list() == [
        p.hash_id("093190123456"),
        None,
        p.hash_id("093190123456"),
        None,  # blank
        p.hash_id("1801234567001"),
    ]
    kinds = pl.DataFrame({"id": ids}).select(id_kind_expr(pl.col("id"))).to_series()
    assert kinds.to_list() == ["citizen_id", None, "citizen_id", "other", "tax_code"]
