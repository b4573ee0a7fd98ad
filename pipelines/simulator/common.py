"""Array and column helpers that the scale modules (`scale_*.py`) share.

Moments are whole seconds since 1970-01-01 and days are day numbers since then, held in
numpy arrays; these helpers turn them into polars columns and count them into the ground
truth's monthly flows.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import polars as pl

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
DAY_S = 86_400  # seconds in a day


def day_number(d: date) -> int:
    """Days since 1970-01-01."""
    return d.toordinal() - EPOCH_ORDINAL


def datetimes(seconds: np.ndarray, mask: np.ndarray | None = None) -> pl.Series:
    """Seconds since 1970 as a datetime Series; null where `mask` is False."""
    values = pl.Series(seconds * 1_000_000, dtype=pl.Int64).cast(pl.Datetime("us"))
    if mask is None:
        return values
    return pl.select(pl.when(pl.Series(mask)).then(values)).to_series()


def count_by_month(flows: Counter, seconds: np.ndarray, name: str) -> None:
    """Add one per moment to (year, month, name)."""
    if len(seconds) == 0:
        return
    months = (seconds // DAY_S).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    values, counts = np.unique(months, return_counts=True)
    for m, c in zip(values.tolist(), counts.tolist(), strict=True):
        flows[(1970 + m // 12, m % 12 + 1, name)] += c


def concat(parts: list, separator: str = "") -> pl.Series:
    """Series and literals concatenated row by row into a string Series."""
    return pl.select(pl.concat_str(parts, separator=separator)).to_series()
