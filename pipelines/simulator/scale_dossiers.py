"""A one-stop desk's dossiers for the scale scenario, drawn as arrays, one unit at a time.

Every dossier's whole life is drawn at once, one array per moment (submitted online,
received, processing, supplement asked and resumed, financial obligation, finished,
returned, or refused or withdrawn). The change log then has one row per moment up to the
scenario's last day, each row the dossier's state after that change, in the file of the
day it happened:

- in person or by post, result on the spot:  received (2) -> returned (10)
- with processing days:  received (2) -> processing (4) [-> supplement asked (5) ->
  processing again (4), appointment moved] [-> financial obligation (6)] -> finished (9)
  -> returned (10); or stopped by the desk (8)
- online: a submission row (1) first; some are never received (1 only) or refused (3)
- withdrawn by the applicant (7) the working day after receipt.

Appointments are the procedure's processing days in working days after the day of receipt
(plus the pause), so the warehouse's due-date rule finds nothing to flag; a small share
per unit finishes one to three working days late.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.simulator.common import (
    DAY_S,
    EPOCH_ORDINAL,
    concat,
    count_by_month,
    datetimes,
)
from pipelines.simulator.dialects import FIELDS
from pipelines.simulator.people import BUSINESS_DOMAINS
from pipelines.simulator.scale_catalogue import ONLINE_FULL, ONLINE_PARTIAL, LevelCatalogue
from pipelines.simulator.scale_people import applicants
from pipelines.simulator.scale_province import ScaleUnit, Workdays
from pipelines.simulator.scenarios import MONTH_WEIGHTS_2021
from pipelines.simulator.specs import DossierShares

CLOSE_OF_DAY = 17 * 3600
# online submissions never received at the desk, and refused at intake
UNRECEIVED_ONLINE = 0.02
REFUSED_ONLINE = 0.015
APOLOGY = 0.6  # late dossiers with an apology letter
# statuses of the rows a dossier writes, in the order of its life
SUBMITTED, RECEIVED, REFUSED, PROCESSING, SUPPLEMENT, OBLIGATION = 1, 2, 3, 4, 5, 6
WITHDRAWN, STOPPED, FINISHED, RETURNED = 7, 8, 9, 10

DOSSIER_SCHEMA = {
    "dossier_code": pl.String,
    "procedure_code": pl.String,
    "channel": pl.Int64,
    "applicant_name": pl.String,
    "applicant_id_number": pl.String,
    "applicant_phone": pl.String,
    "applicant_address": pl.String,
    "received_at": pl.Datetime("us"),
    "due_at": pl.Datetime("us"),
    "finished_at": pl.Datetime("us"),
    "returned_at": pl.Datetime("us"),
    "status": pl.Int64,
    "supplement_count": pl.Int64,
    "apology_issued": pl.Boolean,
    "paid_online": pl.Boolean,
    "digitized": pl.Boolean,
    "updated_at": pl.Datetime("us"),
}
assert list(DOSSIER_SCHEMA) == [f.name for f in FIELDS["dossiers"]]


@dataclass(frozen=True)
class DeskLog:
    rows: pl.DataFrame  # the change log: contract columns and `_day`, in file order
    dossiers: int  # dossiers with at least one row
    flows: Counter  # (year, month, figure) -> count, as the warehouse must count them


def desk_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Moments in the desk's opening hours (7:30-11:00, 13:30-16:30), seconds into the day."""
    minute = rng.integers(0, 389, n)
    start = np.where(minute < 210, 7 * 60 + 30, 13 * 60 + 30 - 210)
    return (start + minute) * 60 + rng.integers(0, 60, n)


def day_weights(cal: Workdays, rng: np.random.Generator) -> np.ndarray:
    """Relative activity of each working day in the scenario (mean 1): the 2021 pattern of
    months (Tết, the Directive 16 lockdown), busy Mondays, quiet Fridays, daily noise."""
    days = cal.days[: cal.n_in]
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    w = (
        np.asarray(MONTH_WEIGHTS_2021)[month]
        * np.where(weekday == 0, 1.15, np.where(weekday == 4, 0.9, 1.0))
        * rng.uniform(0.8, 1.2, len(days))
    )
    return w / w.mean() if len(w) else w


def _codes(unit: ScaleUnit, first: np.ndarray, procedure: np.ndarray) -> pl.Series:
    """Numbered per day in order of the first event, as the desk's system does."""
    order = np.lexsort((procedure, first))
    day = first[order] // DAY_S
    new_day = np.r_[True, day[1:] != day[:-1]]
    starts = np.maximum.accumulate(np.where(new_day, np.arange(len(day)), 0))
    seq = np.empty(len(first), dtype=np.int64)
    seq[order] = np.arange(len(day)) - starts + 1
    ymd = datetimes(first).dt.strftime("%y%m%d")
    return concat(
        [
            pl.lit(unit.code_prefix + "-"),
            ymd,
            pl.lit("-"),
            pl.Series(seq).cast(pl.String).str.zfill(unit.code_width),
        ]
    )


def desk_log(
    unit: ScaleUnit,
    catalogue: LevelCatalogue,
    cal: Workdays,
    per_day: float,
    late_share: float,
    shares: DossierShares,
    rng: np.random.Generator,
) -> DeskLog:
    """The unit's dossier change log over the scenario. `per_day`: new dossiers (received
    at the desk or submitted online) per working day on average; `late_share`: share of
    dossiers with processing days that finish late."""
    W = cal.days
    start_s = cal.first_day * DAY_S
    end_s = (cal.last_day + 1) * DAY_S  # rows up to the last day's midnight
    counts = rng.poisson(per_day * day_weights(cal, rng))
    r = np.repeat(np.arange(cal.n_in), counts)
    n = len(r)
    base = W[r] * DAY_S

    # the procedure, as the catalogue in force on the day of receipt lists it
    epoch = catalogue.epoch(W[r], EPOCH_ORDINAL)
    proc = np.zeros(n, dtype=np.int64)
    for e in np.unique(epoch):
        m = epoch == e
        cum = np.cumsum(catalogue.weight * catalogue.accepts[e])
        proc[m] = np.searchsorted(cum, rng.random(int(m.sum())) * cum[-1], side="right")
    days = catalogue.days[epoch, proc]
    level = catalogue.online[epoch, proc]
    fee = catalogue.has_fee[proc]
    domains = np.asarray(catalogue.domains, dtype=object)[proc]
    land = domains == "Đất đai"

    online_share = np.where(
        level == ONLINE_FULL,
        shares.online_full,
        np.where(level == ONLINE_PARTIAL, shares.online_partial, 0.0),
    )
    online = rng.random(n) < online_share
    channel = np.where(online, 2, np.where(rng.random(n) < shares.postal, 3, 1))
    u = rng.random(n)
    unreceived = online & (u < UNRECEIVED_ONLINE)
    refused = online & (u >= UNRECEIVED_ONLINE) & (u < UNRECEIVED_ONLINE + REFUSED_ONLINE)
    multi = days >= 1
    withdrawn = ~unreceived & ~refused & (days >= 2) & (rng.random(n) < shares.withdrawn)
    counted = ~unreceived & ~refused & ~withdrawn
    received = counted | withdrawn

    t_recv = base + desk_seconds(rng, n)
    # online: submitted at any hour up to two days before the desk receives it
    before = np.maximum(base + 7 * 3600 - 60 * rng.integers(5, 2881, n), start_s + 300)
    own = base + rng.integers(6, 23, n) * 3600 + rng.integers(0, 60, n) * 60
    t_sub = np.where(received, before, own)
    t_ref = W[r + 1] * DAY_S + desk_seconds(rng, n)

    # result on the spot
    spot_fin = np.minimum(t_recv + 60 * rng.integers(10, 121, n), base + 16 * 3600 + 59 * 60)
    spot_ret = spot_fin + 60 * rng.integers(0, 6, n)
    # processing days
    P = np.maximum(days, 0)
    t_proc = np.minimum(t_recv + 60 * rng.integers(20, 241, n), base + 16 * 3600 + 55 * 60)
    paused = counted & (days >= 3) & (rng.random(n) < shares.supplement)
    ask_i = r + rng.integers(1, 3, n)
    added = rng.integers(2, 9, n)
    resume_i = ask_i + added
    t_ask = W[ask_i] * DAY_S + desk_seconds(rng, n)
    t_res = W[resume_i] * DAY_S + desk_seconds(rng, n)
    first_due_i = r + P
    due_i = first_due_i + np.where(paused, added, 0)
    fin_i = r + np.maximum(1, np.rint(P * rng.uniform(0.35, 1.0, n)).astype(np.int64))
    fin_i = np.where(paused, np.maximum(fin_i + added, resume_i + 1), fin_i)
    late = counted & multi & ~paused & (rng.random(n) < late_share)
    fin_i = np.where(late, due_i + rng.integers(1, 4, n), fin_i)
    apology = late & (rng.random(n) < APOLOGY)
    stopped = counted & multi & ~late & (rng.random(n) < shares.stopped)
    multi_fin = W[fin_i] * DAY_S + desk_seconds(rng, n)
    # land dossiers with fees: asked to pay fees and taxes the working day before the result
    t_obl = W[fin_i - 1] * DAY_S + desk_seconds(rng, n)
    obligation = counted & multi & fee & land & (rng.random(n) < 0.6)
    obligation &= t_obl > np.where(paused, t_res, t_proc)
    # results of fully online procedures go back online; others are collected at the desk
    wait = rng.choice(np.array([0, 1, 2, 3, 5]), n, p=[0.6, 0.25, 0.07, 0.05, 0.03])
    collected = np.maximum(W[fin_i + wait] * DAY_S + desk_seconds(rng, n), multi_fin + 600)
    multi_ret = np.where(
        online & (level == ONLINE_FULL), multi_fin + 60 * rng.integers(1, 31, n), collected
    )
    t_wd = W[r + 1] * DAY_S + desk_seconds(rng, n)

    t_fin = np.where(multi, multi_fin, spot_fin)
    t_ret = np.where(multi, multi_ret, spot_ret)
    first_due = np.where(multi, W[first_due_i] * DAY_S, base) + CLOSE_OF_DAY
    due = np.where(multi, W[due_i] * DAY_S, base) + CLOSE_OF_DAY
    returns = counted & ~stopped

    paid = np.where(online, rng.random(n) < shares.paid_online_online, False)
    paid |= ~online & (rng.random(n) < shares.paid_online_in_person)
    paid &= received
    digitized = received & (rng.random(n) < shares.digitized)

    # the change log: (dossier, moment, status) for every change
    events = (
        (online, t_sub, SUBMITTED),
        (refused, t_ref, REFUSED),
        (received, t_recv, RECEIVED),
        (received & multi, t_proc, PROCESSING),
        (paused, t_ask, SUPPLEMENT),
        (paused, t_res, PROCESSING),
        (withdrawn, t_wd, WITHDRAWN),
        (obligation, t_obl, OBLIGATION),
        (counted & multi, t_fin, np.where(stopped, STOPPED, FINISHED)),
        (returns, t_ret, RETURNED),
    )
    ev_i = np.concatenate([np.flatnonzero(mask) for mask, _, _ in events])
    ev_t = np.concatenate([t[mask] for mask, t, _ in events])
    ev_s = np.concatenate(
        [np.broadcast_to(np.asarray(s), (n,))[mask] for mask, _, s in events]
    ).astype(np.int64)
    keep = ev_t < end_s
    ev_i, ev_t, ev_s = ev_i[keep], ev_t[keep], ev_s[keep]

    first = np.where(online, t_sub, t_recv)
    proc_codes = pl.Series(catalogue.codes).gather(proc)
    code_rank = proc_codes.rank("dense").to_numpy()
    codes = _codes(unit, first, code_rank)
    code_order = codes.rank("ordinal").to_numpy()
    order = np.lexsort((code_order[ev_i], ev_t))
    ev_i, ev_t, ev_s = ev_i[order], ev_t[order], ev_s[order]
    # a few adjacent rows of a day's file swapped, as exports do
    swap = np.flatnonzero(rng.random(max(len(ev_t) - 1, 0)) < shares.out_of_order)
    swap = swap[(ev_t[swap] // DAY_S) == (ev_t[swap + 1] // DAY_S)]
    swap = swap[np.r_[True, np.diff(swap) > 1]] if len(swap) else swap
    perm = np.arange(len(ev_t))
    perm[swap], perm[swap + 1] = swap + 1, swap
    ev_i, ev_t, ev_s = ev_i[perm], ev_t[perm], ev_s[perm]

    business = np.isin(domains, list(BUSINESS_DOMAINS)) & (rng.random(n) < 0.4)
    people = applicants(rng, business, unit.places, unit.district).select(pl.all().gather(ev_i))
    i = ev_i
    not_intake = (ev_s != SUBMITTED) & (ev_s != REFUSED)
    moved = paused[i] & (ev_t >= t_res[i])
    has_fin = counted[i] & (ev_t >= t_fin[i])
    rows = pl.DataFrame(
        {
            "dossier_code": codes.gather(i),
            "procedure_code": proc_codes.gather(i),
            "channel": channel[i],
            **people.to_dict(),
            "received_at": datetimes(t_recv[i], not_intake),
            "due_at": datetimes(np.where(moved, due[i], first_due[i]), not_intake),
            "finished_at": datetimes(t_fin[i], has_fin),
            "returned_at": datetimes(t_ret[i], returns[i] & (ev_t >= t_ret[i])),
            "status": ev_s,
            "supplement_count": moved.astype(np.int64),
            "apology_issued": apology[i] & has_fin,
            "paid_online": pl.select(
                pl.when(pl.Series(fee[i])).then(pl.Series(paid[i]))
            ).to_series(),
            "digitized": digitized[i],
            "updated_at": datetimes(ev_t),
        },
        schema=DOSSIER_SCHEMA,
    ).with_columns(pl.col("updated_at").dt.date().alias("_day"))

    # the state each dossier ends in, counted as the warehouse counts it
    by_dossier = np.lexsort((ev_t, ev_i))
    li, lt, ls = ev_i[by_dossier], ev_t[by_dossier], ev_s[by_dossier]
    last = np.r_[li[1:] != li[:-1], True] if len(li) else np.zeros(0, dtype=bool)
    li, lt, ls = li[last], lt[last], ls[last]
    flows: Counter = Counter()
    is_counted = ~np.isin(ls, (SUBMITTED, REFUSED, WITHDRAWN))
    count_by_month(flows, t_recv[li][is_counted], "received")
    is_finished = np.isin(ls, (STOPPED, FINISHED, RETURNED))
    fin_day = t_fin[li][is_finished] // DAY_S
    due_now = np.where(paused[li] & (lt >= t_res[li]), due[li], first_due[li])[is_finished]
    ontime = fin_day <= due_now // DAY_S
    count_by_month(flows, fin_day * DAY_S, "finished")
    count_by_month(flows, fin_day[ontime] * DAY_S, "ontime")
    return DeskLog(rows=rows, dossiers=len(li), flows=flows)
