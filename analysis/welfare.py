"""World welfare against a reference run: the expenditure-weighted mean of log real-income changes.

Each country's real income is its expenditure deflated by the exact price index of its final
basket (``real_income`` in a run's world table; for CES households it is the utility reached,
Feenstra 1994). The world's welfare change of a scenario against a reference run with the same
seed is, per period t,

    dW_t = sum_c s_ct log(RI_ct / RI^ref_ct),   s_ct = E^ref_ct / sum_c' E^ref_c't

with the reference run's expenditure shares as weights: to first order it is the change of world
real income, each country's consumption valued at reference prices (the standard aggregation of
equivalent variations in quantitative trade models; Arkolakis, Costinot & Rodriguez-Clare 2012;
Baqaee & Farhi 2019, eq. of aggregate welfare). Pure functions of tidy frames; nothing here
imports the simulation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["log_real_income_change", "world_welfare_change"]


def _aligned(run: pd.DataFrame, reference: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    keys = ["period", "country"]
    for name, frame in (("run", run), ("reference", reference)):
        missing = [c for c in keys + columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{name}: missing columns {', '.join(missing)}")
    merged = run[keys + columns].merge(reference[keys + columns], on=keys, suffixes=("", "_ref"), how="inner",
                                       validate="one_to_one")
    if len(merged) != len(run) or len(merged) != len(reference):
        raise ValueError("run and reference must have the same (period, country) rows")
    return merged


def log_real_income_change(run: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Per (period, country): ``log(RI / RI^ref)``, with columns period, country, dlog_real_income."""
    m = _aligned(run, reference, ["real_income"])
    m["dlog_real_income"] = np.log(m["real_income"] / m["real_income_ref"])
    return m[["period", "country", "dlog_real_income"]]


def world_welfare_change(run: pd.DataFrame, reference: pd.DataFrame) -> pd.Series:
    """World welfare change per period, ``sum_c s_c log(RI_c / RI^ref_c)`` with reference expenditure
    shares s_c (module docstring). ``run`` and ``reference`` are world tables with columns period,
    country, real_income and expenditure. Returns a Series indexed by period (log points)."""
    m = _aligned(run, reference, ["real_income", "expenditure"])
    m["dlog"] = np.log(m["real_income"] / m["real_income_ref"])
    m["weight"] = m["expenditure_ref"] / m.groupby("period")["expenditure_ref"].transform("sum")
    out = (m["weight"] * m["dlog"]).groupby(m["period"]).sum()
    out.name = "world_welfare_change"
    return out
