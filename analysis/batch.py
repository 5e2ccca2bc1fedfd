"""Results of an experiment batch (``gvc batch``), read from its Parquet files only.

A batch folder holds ``manifest.parquet`` (one row per run: tags, parameters, status) and
one tidy table per done run in ``runs/<run_id>.parquet``, or merged into the hive-partitioned
dataset ``dataset/scenario=NAME/`` by ``gvc results --compact``. Each table has one row per
(run, period, country): ``run_id, scenario, seed``, a column per varied config path, then
``period, country, region`` and the indicators and accounts. Beside them,
``runs/<table>/<run_id>.parquet`` holds the run's ``global``, ``regions``, ``flows`` and
``sectors`` tables (those of ``gvc run``, with the same tags in front), which
``load_batch(DIR, table=NAME)`` reads. Nothing here imports the simulation, so the same code
reads a batch on any machine.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["read_batch_manifest", "load_batch", "batch_params", "run_values", "seed_summary"]

TAGS = ("run_id", "scenario", "seed")
#: The tables of a run besides its run table, and the key columns of each (always read).
TABLE_KEYS = {"global": ("period",), "regions": ("period", "kind", "region"), "flows": ("period", "exporter", "importer"),
              "sectors": ("period", "country", "sector")}


def read_batch_manifest(path: str | Path) -> pd.DataFrame:
    """The batch's ``manifest.parquet`` (run_id, scenario, replicate, seed, parameters, status, ...)."""
    path = Path(path)
    file = path / "manifest.parquet"
    if not file.is_file():
        raise FileNotFoundError(f"{path}: no manifest.parquet (not a batch folder)")
    return pd.read_parquet(file)


def batch_params(path: str | Path) -> list[str]:
    """The varied config paths of the batch (its ``sweep.json``), in sweep order."""
    spec = Path(path) / "sweep.json"
    return list(json.loads(spec.read_text(encoding="utf-8"))["params"]) if spec.is_file() else []


def load_batch(path: str | Path, columns: Sequence[str] | None = None, *, table: str | None = None) -> pd.DataFrame:
    """One tidy DataFrame of every done run of the batch in ``path``, in manifest order.

    Without ``table``: the run tables, one row per (run, period, country). With ``table`` one
    of :data:`TABLE_KEYS` (``global``, ``regions``, ``flows``, ``sectors``): that table of every
    done run, one row per run and the table's keys. ``columns`` restricts what is read (the
    tags, the parameters and the table's keys are always kept). ``attrs["params"]`` lists the
    parameter columns.
    """
    path = Path(path)
    if table is not None and table not in TABLE_KEYS:
        raise ValueError(f"table: expected one of {', '.join(TABLE_KEYS)}, got {table!r}")
    manifest = read_batch_manifest(path)
    params = batch_params(path)
    done = manifest[manifest["status"] == "done"]
    keys = list(TABLE_KEYS[table]) if table is not None else ["period", "country"]
    keep = None
    if columns is not None:
        keep = list(dict.fromkeys([*TAGS, *params, *keys, *columns]))
    tables = []
    if table is not None:
        for rid in done["run_id"]:
            file = path / "runs" / table / f"{rid}.parquet"
            if not file.is_file():
                raise FileNotFoundError(f"{file}: run {rid} has no {table} table (written before batches kept it; "
                                        "run the batch again to add it)")
            tables.append(pq.read_table(file, columns=keep))
        in_runs, in_dataset = [], []
    else:
        in_runs = done[done["location"] != "dataset"]["run_id"].tolist()
        in_dataset = done[done["location"] == "dataset"]["run_id"].tolist()
    for rid in in_runs:
        tables.append(pq.read_table(path / "runs" / f"{rid}.parquet", columns=keep))
    if in_dataset:
        import pyarrow.compute as pc
        import pyarrow.dataset as ds

        dataset = ds.dataset(path / "dataset", format="parquet", partitioning="hive")
        t = dataset.to_table(filter=pc.field("run_id").isin(in_dataset))
        t = t.set_column(t.schema.get_field_index("scenario"), "scenario", t.column("scenario").cast(pa.string()))
        tables.append(t.select(keep) if keep is not None else t)
    if not tables:
        return pd.DataFrame(columns=[*TAGS, *params, *keys])
    order = {rid: i for i, rid in enumerate(done["run_id"])}
    tables = [t.replace_schema_metadata(None) for t in tables]
    df = pa.concat_tables(tables, promote_options="permissive").to_pandas()
    front = [c for c in (*TAGS, *params) if c in df.columns]
    df = df[front + [c for c in df.columns if c not in front]]
    df = df.sort_values("run_id", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    df.attrs["params"] = params
    return df


def _select(df: pd.DataFrame, period: int | None, country: str | None) -> tuple[pd.DataFrame, int]:
    """Rows of ``period`` (default: the last) and of ``country`` (default: all)."""
    t = int(df["period"].max()) if period is None else int(period)
    sel = df[df["period"] == t]
    if sel.empty:
        raise ValueError(f"period {t}: not in the batch (periods {int(df['period'].min())}..{int(df['period'].max())})")
    if country is not None:
        sel = sel[sel["country"] == country]
        if sel.empty:
            raise ValueError(f"country {country!r}: not in the batch")
    return sel, t


def run_values(df: pd.DataFrame, variable: str, *, period: int | None = None, country: str | None = None) -> pd.Series:
    """One number per run (indexed by run_id): ``variable`` at ``period`` (default: the last) in
    ``country``, or its unweighted mean over the countries."""
    sel, _ = _select(df, period, country)
    return sel.groupby("run_id", sort=False)[variable].mean()


def seed_summary(df: pd.DataFrame, variables: Sequence[str], *, params: Sequence[str] = (),
                 period: int | None = None, country: str | None = None) -> pd.DataFrame:
    """Mean and 95 % interval across seeds of each variable, by scenario and parameter values.

    The interval is Student's ``mean +/- t_{0.975, n-1} s / sqrt(n)`` over the ``n`` runs
    (seeds) of a group, ``s`` their sample standard deviation (NaN for one run). A run's value
    is the variable at ``period`` (default: the last) in ``country``, or, without one, its
    unweighted mean over the countries. Returns one row per (scenario, parameters, variable):
    ``n, mean, ci_low, ci_high``.
    """
    from scipy import stats

    if df.empty:
        return pd.DataFrame(columns=["scenario", *params, "variable", "n", "mean", "ci_low", "ci_high"])
    sel, _ = _select(df, period, country)
    keys = ["scenario", *params]
    per_run = sel.groupby(["run_id", *keys], dropna=False, sort=False)[list(variables)].mean().reset_index()
    long = per_run.melt(id_vars=["run_id", *keys], value_vars=list(variables), var_name="variable")
    g = long.groupby([*keys, "variable"], dropna=False, sort=False)["value"]
    out = g.agg(n="count", mean="mean", sd="std").reset_index()
    n = out["n"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = np.where(n > 1, stats.t.ppf(0.975, np.maximum(n - 1, 1)) * out["sd"].to_numpy() / np.sqrt(n), np.nan)
    out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
    return out.drop(columns="sd")
