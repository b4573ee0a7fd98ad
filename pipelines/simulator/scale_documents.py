"""A unit's outgoing document register (sổ văn bản đi) for the scale scenario, as arrays.

Documents are registered on working days in the afternoon and numbered in that order,
from 1 every 1 January; one in ten is registered the next morning. Most go to state
agencies (fully electronic, or electronic with a paper copy), some to organisations and
people (any method, paper included), a few are classified (paper only). A few are
registered again with a correction a few working days later: the same key, a later
`updated_at`.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.simulator import vocabulary as v
from pipelines.simulator.common import DAY_S, concat, count_by_month, datetimes
from pipelines.simulator.dialects import FIELDS
from pipelines.simulator.people import person_name
from pipelines.simulator.scale_province import ScaleUnit, Workdays
from pipelines.simulator.specs import DocumentShares

# December closes the year with reports and plans; Tết and the lockdown write less.
_MONTH_FACTOR = np.array((1.1, 0.7, 1.0, 1.0, 1.0, 1.0, 0.95, 0.85, 0.95, 1.0, 1.1, 1.35))
_SUMMARY = {
    "Công văn": "V/v ",
    "Quyết định": "Quyết định về việc ",
    "Báo cáo": "Báo cáo kết quả ",
    "Kế hoạch": "Kế hoạch thực hiện ",
    "Thông báo": "Thông báo về ",
    "Tờ trình": "Tờ trình về việc ",
    "Giấy mời": "Mời họp về ",
}
DOCUMENT_SCHEMA = {
    "document_number": pl.String,
    "document_date": pl.Date,
    "document_type": pl.String,
    "summary": pl.String,
    "signer": pl.String,
    "recipient_kind": pl.Int64,
    "send_method": pl.Int64,
    "digitally_signed": pl.Boolean,
    "classification": pl.Int64,
    "updated_at": pl.Datetime("us"),
}
assert list(DOCUMENT_SCHEMA) == [f.name for f in FIELDS["documents"]]


@dataclass(frozen=True)
class Register:
    rows: pl.DataFrame  # contract columns and `_day`, in file order
    documents: int
    flows: Counter  # (year, month, figure) -> count


def _topics(rng: np.random.Generator, months: np.ndarray) -> pl.Series:
    """A topic of the month for each document."""
    out = np.empty(len(months), dtype=object)
    for m in range(1, 13):
        where = np.flatnonzero(months == m)
        topics = [t for t, ms in v.DOCUMENT_TOPICS if not ms or m in ms]
        out[where] = np.asarray(topics, dtype=object)[rng.integers(0, len(topics), len(where))]
    return pl.Series(out.tolist(), dtype=pl.String)


def register(
    unit: ScaleUnit,
    cal: Workdays,
    per_day: float,
    shares: DocumentShares,
    rng: np.random.Generator,
    seed: int,
) -> Register:
    """`per_day`: documents registered per working day on average."""
    W = cal.days
    days = W[: cal.n_in]
    dates64 = days.astype("datetime64[D]")
    month = dates64.astype("datetime64[M]").astype(np.int64) % 12
    w = _MONTH_FACTOR[month] * rng.uniform(0.5, 1.5, len(days))
    counts = rng.poisson(per_day * w / w.mean()) if len(days) else np.zeros(0, np.int64)
    r = np.repeat(np.arange(cal.n_in), counts)
    n = len(r)
    # registered in the afternoon, numbered in that order
    moment = rng.integers(14, 18, n) * 3600 + rng.integers(0, 60, n) * 60
    order = np.lexsort((moment, r))
    r, moment = r[order], moment[order]
    year = dates64[r].astype("datetime64[Y]").astype(np.int64) if n else np.zeros(0, np.int64)
    new_year = np.r_[True, year[1:] != year[:-1]] if n else np.zeros(0, dtype=bool)
    starts = np.maximum.accumulate(np.where(new_year, np.arange(n), 0)) if n else new_year
    number = np.arange(n) - starts + 1

    u = rng.random(n)
    classified = u < shares.classified
    to_people = ~classified & (u < shares.classified + shares.to_people / (1 + shares.to_people))
    agency = ~classified & ~to_people
    electronic = rng.random() * 0.15 + 0.75  # the unit's share of fully electronic sending
    recipient = np.where(to_people, 2, np.where(classified, rng.choice([1, 1, 2], n), 1))
    method = np.where(
        agency,
        np.where(rng.random(n) < electronic, 1, 3),
        np.where(classified, 2, rng.choice([1, 2, 3], n, p=[0.3, 0.5, 0.2])),
    )
    classification = np.where(classified, rng.choice([1, 2], n, p=[0.9, 0.1]), 0)
    signed_share = np.select(
        [method == 1, method == 3], [shares.signed_electronic, shares.signed_mixed], 0.0
    )
    signed = (classification == 0) & (rng.random(n) < signed_share)

    types = [t for t, *_ in v.DOCUMENT_TYPES]
    type_p = np.array([w for _, w, *_ in v.DOCUMENT_TYPES], dtype=float)
    kind = rng.choice(len(types), n, p=type_p / type_p.sum())
    doc_type = pl.Series(types).gather(kind)
    suffix = [city if unit.level == "city" else ward for _, _, city, ward in v.DOCUMENT_TYPES]
    numbers = concat(
        [pl.Series(number).cast(pl.String), pl.lit("/"), pl.Series(suffix).gather(kind)]
    )
    summary = concat(
        [pl.Series([_SUMMARY[t] for t in types]).gather(kind), _topics(rng, month[r] + 1)]
    )
    names_rng = random.Random(f"{seed}:scale-signers:{unit.code}")
    signers = [person_name(names_rng) for _ in v.SIGNER_TITLES]  # the chair first
    chair = (doc_type == "Quyết định").to_numpy() & (rng.random(n) < 0.6)
    signer = pl.Series(signers).gather(np.where(chair, 0, rng.integers(0, len(signers), n)))

    updated = W[r] * DAY_S + moment
    # registered the next morning
    next_day = (rng.random(n) < 0.1) & (r + 1 < cal.n_in)
    morning = W[np.minimum(r + 1, len(W) - 1)] * DAY_S + 8 * 3600 + rng.integers(0, 60, n) * 60
    updated = np.where(next_day, morning, updated)

    docs = pl.DataFrame(
        {
            "document_number": numbers,
            "document_date": datetimes(W[r] * DAY_S).dt.date(),
            "document_type": doc_type,
            "summary": summary,
            "signer": signer,
            "recipient_kind": recipient,
            "send_method": method,
            "digitally_signed": signed,
            "classification": classification,
            "updated_at": datetimes(updated),
        },
        schema=DOCUMENT_SCHEMA,
    )
    flows: Counter = Counter()
    sent = (recipient == 1) & (classification == 0)
    count_by_month(flows, W[r][sent] * DAY_S, "doc_sent")
    count_by_month(flows, W[r][sent & (method == 1)] * DAY_S, "doc_electronic")

    # corrections: the mistaken version first, the right one 1-7 working days later
    upd_i = np.searchsorted(W, updated // DAY_S)
    can_fix = np.flatnonzero(upd_i + 7 < cal.n_in)
    n_fix = min(len(can_fix), max(1, round(n * shares.corrections))) if n else 0
    fixed = np.sort(rng.choice(can_fix, n_fix, replace=False)) if n_fix else can_fix[:0]
    later = W[upd_i[fixed] + rng.integers(1, 8, n_fix)] * DAY_S + 9 * 3600
    later += rng.integers(0, 60, n_fix) * 60
    right = docs[fixed].with_columns(updated_at=datetimes(later))
    wrong = pl.DataFrame(
        [_mistaken(row, names_rng) for row in docs[fixed].iter_rows(named=True)],
        schema=DOCUMENT_SCHEMA,
    )
    rest = np.setdiff1d(np.arange(n), fixed)
    seq = np.concatenate([rest, fixed, fixed])
    rows = pl.concat([docs[rest], wrong, right]) if n_fix else docs
    if not n_fix:
        seq = np.arange(n)
    rows = (
        rows.with_columns(pl.Series("_seq", seq))
        .sort("updated_at", "_seq")
        .drop("_seq")
        .with_columns(pl.col("updated_at").dt.date().alias("_day"))
    )
    return Register(rows=rows, documents=n, flows=flows)


def _mistaken(row: dict, rng: random.Random) -> dict:
    """What the clerk first registered before correcting it."""
    fix = rng.choice(("summary", "method", "recipient", "signer"))
    row = dict(row)
    if fix == "summary":
        row["summary"] = row["summary"].rsplit(" ", 2)[0]  # cut short
    elif fix == "method" and row["send_method"] != 2:
        row["send_method"], row["digitally_signed"] = 2, False
    elif fix == "recipient":
        row["recipient_kind"] = 3 - row["recipient_kind"]
    else:
        row["signer"] = row["signer"].rsplit(" ", 1)[0]
    return row
