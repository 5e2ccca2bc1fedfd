"""Running a sweep's runs on Dask (or in-process), one Parquet file per run, resumable.

Layout of a batch folder ``DIR``:

- ``runs/<run_id>.parquet``: one tidy table per run, one row per (period, country): the tags
  ``run_id, scenario, seed`` and one column per varied path (named by the path; a value that is
  not a scalar as canonical JSON text), then ``period, country, region``, every indicator of
  ``gvc run``'s ``indicators.parquet``, every column of its ``world.parquet`` (a name an
  indicator already has takes the suffix ``_accounts``: ``gdp_accounts`` is factor income,
  ``gdp`` the MRIO's value added) and ``policy_events, restrictive_events`` (the period's
  policy-event log counted by country). The schema metadata ``gvc_abm`` holds the run id,
  the parameter names, the whole config, the package version and the SHA-256 of the table's
  content (:func:`table_digest`); pages carry CRC checksums.
- ``runs/<table>/<run_id>.parquet`` for each table of :data:`RUN_TABLES` (``global``,
  ``regions``, ``flows``, ``sectors``): ``gvc run``'s table of that name, tagged like the run
  table (the tags and parameters first) and with the same metadata plus the table's name.
  They are written before the run table, so a run table on disk means its tables are there;
  a run whose tables are missing or corrupt is rerun. ``gvc results --compact`` merges only
  the run tables; these stay where they are.
- ``manifest.parquet``: one row per run: ``run_id, scenario, replicate, seed``, the
  parameters, ``status`` (done / failed / pending), ``error``, ``warnings``, ``wall_time`` and
  ``cpu_time`` (seconds of the run in its worker), ``worker``, ``config_hash``, ``version``, ``sha256`` of the run
  file and ``location`` (runs, or dataset after ``gvc results --compact``).
- ``sweep.yaml`` (the sweep file as given), ``sweep.json`` (its parsed spec) and
  ``design.parquet`` (scenario, point, replicate, seed, run_id and the raw sample values of
  each design row, which ``gvc sensitivity`` pairs with the outputs).

Every file is written to a temporary name and renamed (:func:`~.outputs.atomic_path`).
Workers return a run's Parquet bytes and the driver writes them, so results need no shared
file system and the same config and seed give the same bytes on any worker. A rerun checks
each run file against the SHA-256 the manifest recorded (or, for a file the manifest has not
seen, reads it whole with its page checksums) and runs only what is missing or corrupt.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import socket
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from distributed import WorkerPlugin

from .outputs import atomic_path
from .threads import BLAS_ENV, pin_blas

__all__ = ["BLAS_ENV", "RUN_TABLES", "RunOutput", "run_table", "run_tables", "run_one", "warm_up", "table_digest", "check_run_file", "plan_batch",
           "run_batch", "batch_client", "compact_batch", "BatchError", "MANIFEST", "RUNS", "DATASET"]

#: What a spawned worker process starts with: one BLAS thread and one numba thread (a batch
#: parallelises over runs; the numbers do not depend on the thread count). numba's thread count is set
#: only inside the new process (the Nanny's ``env``), never in a live one: numba refuses a change once
#: its threads run, and Dask's ``pre-spawn-environ`` is written into the spawning process's own environ.
WORKER_ENV = BLAS_ENV | {"NUMBA_NUM_THREADS": "1"}
MANIFEST, RUNS, DATASET = "manifest.parquet", "runs", "dataset"
#: The tables of a run written beside its run table, ``runs/<table>/<run_id>.parquet``, and the
#: attribute of :class:`~gvc_abm.environment.model.RunResult` holding each.
RUN_TABLES = {"global": "global_", "regions": "regions", "flows": "flows", "sectors": "sectors"}
SWEEP_COPY, SPEC, DESIGN, LOCK = "sweep.yaml", "sweep.json", "design.parquet", ".lock"
META_KEY = b"gvc_abm"
STATUS = ("done", "failed", "pending")
#: How long ``--scheduler`` waits for the scheduler to answer.
CONNECT_TIMEOUT = "10s"


class BatchError(ValueError):
    """The batch cannot start (``--out`` a file, not a batch folder, in use; a scheduler out of
    reach); the message is one line naming the option and the problem."""


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gvc-abm")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


# --------------------------------------------------------------------------- one run
@dataclass
class RunOutput:
    """What a worker returns for a run: the Parquet file's bytes and how the run went."""

    run_id: str
    data: bytes
    sha256: str
    wall_time: float
    cpu_time: float
    worker: str
    warnings: list[str] = field(default_factory=list)
    tables: dict[str, bytes] = field(default_factory=dict)  # name in RUN_TABLES -> Parquet bytes


def run_table(result, tags: dict[str, Any]) -> pd.DataFrame:
    """A run's tidy table (module docstring): tags, then one row per (period, country)."""
    ind, wf, ev = result.indicators, result.world, result.events
    keys = ["period", "country"]
    wf = wf.rename(columns={c: f"{c}_accounts" for c in wf.columns if c in ind.columns and c not in keys})
    table = ind.merge(wf, on=keys, how="left", validate="one_to_one")
    counts = pd.DataFrame({"period": ev["period"].astype("int64"), "country": ev["country"].astype(str),
                           "policy_events": 1, "restrictive_events": ev["restrictive"].astype("int64")})
    counts = counts.groupby(keys, as_index=False)[["policy_events", "restrictive_events"]].sum()
    table = table.merge(counts, on=keys, how="left")
    table[["policy_events", "restrictive_events"]] = table[["policy_events", "restrictive_events"]].fillna(0).astype("int64")
    front = ["period", "country", "region"]
    table = table[front + [c for c in table.columns if c not in front]]
    for i, (name, value) in enumerate(tags.items()):
        table.insert(i, name, value)
    return table


def run_tables(result, tags: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The run's other tables (:data:`RUN_TABLES`), each tagged like :func:`run_table`."""
    out = {}
    for name, attr in RUN_TABLES.items():
        table = getattr(result, attr).copy()
        for i, (key, value) in enumerate(tags.items()):
            table.insert(i, key, value)
        out[name] = table
    return out


def _parquet_bytes(df: pd.DataFrame, meta: dict[str, Any]) -> bytes:
    """``df`` as zstd Parquet with page checksums and the metadata ``gvc_abm`` (``meta`` plus
    the content digest :func:`table_digest`)."""
    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    meta = meta | {"content_sha256": table_digest(table)}
    table = table.replace_schema_metadata({META_KEY: json.dumps(meta, sort_keys=True, separators=(",", ":")).encode()})
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", write_page_checksum=True)
    return buf.getvalue()


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


def run_one(config: dict, seed: int, tags: dict[str, Any]) -> RunOutput:
    """Run ``(config, seed)`` with :func:`~gvc_abm.environment.model.run_simulation` and return
    its tidy table (:func:`run_table`, tagged with ``tags``) as Parquet bytes.

    Top-level and data in / data out, so Dask pickles it. Afterwards the finished model's
    agents are freed, so a long-lived worker's memory stays flat (Mesa 3.3 keeps models alive).
    """
    from gvc_abm.environment.clearing import ClearingWarning
    from gvc_abm.environment.config import SimulationConfig, validate_config
    from gvc_abm.environment.model import GVCModel, run_simulation

    t0, c0 = time.perf_counter(), time.process_time()
    cfg = validate_config(SimulationConfig, config)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ClearingWarning)
            result = run_simulation(cfg, seed)
    finally:
        GVCModel.release_finished()
    meta = {"run_id": tags["run_id"], "params": [k for k in tags if k not in ("run_id", "scenario", "seed")],
            "config": config, "version": package_version()}
    data = _parquet_bytes(run_table(result, tags), meta)
    tables = {name: _parquet_bytes(df, meta | {"table": name}) for name, df in run_tables(result, tags).items()}
    return RunOutput(run_id=tags["run_id"], data=data, sha256=hashlib.sha256(data).hexdigest(),
                     wall_time=time.perf_counter() - t0, cpu_time=time.process_time() - c0, worker=_worker_name(),
                     warnings=[str(w.message) for w in caught if issubclass(w.category, ClearingWarning)], tables=tables)


def warm_up(config: dict) -> None:
    """Compile or load the numba kernels: one period of ``config``'s world without its drivers
    (results discarded)."""
    from gvc_abm.environment.config import SimulationConfig, validate_config
    from gvc_abm.environment.model import GVCModel, run_simulation

    cfg = validate_config(SimulationConfig, dict(config, periods=1, drivers={}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_simulation(cfg)
    GVCModel.release_finished()


class WarmUp(WorkerPlugin):
    """Dask worker plugin: pin BLAS and warm the kernels on each worker (also a restarted one)
    before its first run."""

    name = "gvc-abm-warm-up"

    def __init__(self, config: dict):
        self.config = config

    def setup(self, worker) -> None:
        pin_blas()
        warm_up(self.config)


# --------------------------------------------------------------------------- files
def table_digest(table: pa.Table) -> str:
    """SHA-256 of a table's content (names, types, values) without its metadata: of its Arrow
    IPC stream, which a Parquet round trip leaves unchanged."""
    sink = pa.BufferOutputStream()
    table = table.replace_schema_metadata(None).combine_chunks()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue()).hexdigest()


def check_run_file(path: Path, run_id: str, sha256: str | None = None, config: dict | None = None) -> str | None:
    """The file's SHA-256 if it is a complete run file of ``run_id``, else None.

    With the ``sha256`` the manifest recorded, the bytes must match it; without one the file
    is read whole (footer, page checksums), its content must have the digest its metadata
    records (:func:`table_digest`), and the metadata must name ``run_id`` and, when given, ``config``.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(data).hexdigest()
    if sha256:
        return digest if digest == sha256 else None
    try:
        table = pq.read_table(pa.BufferReader(data), page_checksum_verification=True)
        meta = json.loads((table.schema.metadata or {}).get(META_KEY, b"{}"))
        ok = (isinstance(meta, dict) and meta.get("run_id") == run_id and table.num_rows > 0
              and (config is None or meta.get("config") == config) and meta.get("content_sha256") == table_digest(table))
    except (pa.ArrowException, OSError, ValueError):  # unreadable: footer, pages, names or metadata damaged
        return None
    return digest if ok else None


def _write_parquet(path: Path, df: pd.DataFrame) -> None:
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)


def read_manifest(out: Path) -> pd.DataFrame | None:
    """The batch's manifest, or None if there is none or it is unreadable (rebuilt from the files)."""
    try:
        return pd.read_parquet(out / MANIFEST)
    except (OSError, pa.ArrowException, ValueError):
        return None


def _dataset_ids(out: Path) -> set[str]:
    if not (out / DATASET).is_dir():
        return set()
    try:
        import pyarrow.dataset as ds

        return set(ds.dataset(out / DATASET, format="parquet", partitioning="hive").to_table(columns=["run_id"])
                   .column("run_id").to_pylist())
    except (OSError, pa.ArrowException, ValueError):
        return set()


def check_out(out: Path) -> None:
    """Refuse an ``--out`` that is a file or a folder holding anything but a batch (nothing is written)."""
    if out.exists() and not out.is_dir():
        raise BatchError(f"--out {out}: exists and is not a folder")
    if out.is_dir():
        known = {RUNS, MANIFEST, DATASET, SWEEP_COPY, SPEC, DESIGN, LOCK}
        other = sorted(p.name for p in out.iterdir() if p.name not in known and not p.name.startswith("."))
        if other:
            raise BatchError(f"--out {out}: a folder that is not a batch (it holds {other[0]!r}); give a new or batch folder")


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on the batch folder (released by the OS if the process dies)."""
    import fcntl

    with open(out / LOCK, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchError(f"--out {out}: another gvc batch is running in this folder") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def table_path(out: Path, name: str, run_id: str) -> Path:
    """Where the batch in ``out`` keeps table ``name`` (of :data:`RUN_TABLES`) of run ``run_id``."""
    return out / RUNS / name / f"{run_id}.parquet"


def _tables_ok(out: Path, run_id: str, config: dict | None) -> bool:
    """Whether every table of :data:`RUN_TABLES` of the run is on disk and whole (:func:`check_run_file`)."""
    return all(check_run_file(table_path(out, name, run_id), run_id, None, config) is not None for name in RUN_TABLES)


def _clean_temporaries(out: Path) -> None:
    """Remove temporary files a killed batch left (``.NAME.xxxx.tmp``)."""
    for folder in (out, out / RUNS, *(out / RUNS / name for name in RUN_TABLES)):
        if folder.is_dir():
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- planning
def plan_batch(sweep, out: Path) -> tuple[pd.DataFrame, int]:
    """The manifest of ``sweep`` in ``out``: runs whose file and tables check out are done, others pending.

    Returns the manifest and the number of runs found corrupt or incomplete (their run file removed).
    """
    old = read_manifest(out)
    prev = {} if old is None else {r["run_id"]: r for r in old.to_dict("records")}
    in_dataset = _dataset_ids(out)
    version = package_version()
    rows, corrupt = [], 0
    for run in sweep.runs:
        row = {"run_id": run.run_id, "scenario": run.scenario, "replicate": run.replicate, "seed": run.seed,
               **run.params, "status": "pending", "error": "", "warnings": "", "wall_time": np.nan,
               "cpu_time": np.nan, "worker": "",
               "config_hash": run.config_hash, "version": version, "sha256": "", "location": RUNS}
        p = prev.get(run.run_id)
        was_done = p is not None and p.get("status") == "done"
        if was_done and p.get("location") == DATASET and run.run_id in in_dataset:
            if _tables_ok(out, run.run_id, run.config):
                row.update({k: p.get(k) for k in ("status", "warnings", "wall_time", "cpu_time", "worker", "version",
                                                  "sha256", "location")})
            else:  # rerun: the fresh run file goes to runs/ beside the dataset's copy, which load_batch then skips
                corrupt += 1
        else:
            path = out / RUNS / f"{run.run_id}.parquet"
            if path.exists():
                digest = check_run_file(path, run.run_id, p.get("sha256") if was_done else None, run.config)
                if digest is not None and not _tables_ok(out, run.run_id, run.config):
                    digest = None
                if digest is None:
                    path.unlink()
                    corrupt += 1
                else:
                    row.update(status="done", sha256=digest, location=RUNS)
                    if was_done:
                        row.update({k: p.get(k) for k in ("warnings", "wall_time", "cpu_time", "worker", "version")})
        rows.append(row)
    return pd.DataFrame(rows), corrupt


# --------------------------------------------------------------------------- running
class _Recorder:
    """Writes finished runs and keeps the manifest on disk (at most every ``every`` seconds)."""

    def __init__(self, out: Path, manifest: pd.DataFrame, every: float = 2.0):
        self.out, self.every = out, every
        self.manifest = manifest
        self.index = {rid: i for i, rid in enumerate(manifest["run_id"])}
        self.last = 0.0

    def done(self, res: RunOutput) -> None:
        for name, data in res.tables.items():  # first: a run file on disk means its tables are there
            path = table_path(self.out, name, res.run_id)
            path.parent.mkdir(exist_ok=True)
            with atomic_path(path) as tmp:
                tmp.write_bytes(data)
        with atomic_path(self.out / RUNS / f"{res.run_id}.parquet") as tmp:
            tmp.write_bytes(res.data)
        self._set(res.run_id, status="done", error="", warnings="\n".join(res.warnings), wall_time=res.wall_time,
                  cpu_time=res.cpu_time, worker=res.worker, sha256=res.sha256, location=RUNS)

    def failed(self, rid: str, error: str, worker: str = "") -> None:
        self._set(rid, status="failed", error=error, worker=worker)

    def _set(self, rid: str, **values) -> None:
        i = self.index[rid]
        for k, v in values.items():
            self.manifest.at[i, k] = v
        if time.monotonic() - self.last >= self.every:
            self.flush()

    def flush(self) -> None:
        _write_parquet(self.out / MANIFEST, self.manifest)
        self.last = time.monotonic()

    def counts(self) -> dict[str, int]:
        vc = self.manifest["status"].value_counts()
        return {s: int(vc.get(s, 0)) for s in STATUS}


def _error_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def _tags(run) -> dict[str, Any]:
    return {"run_id": run.run_id, "scenario": run.scenario, "seed": run.seed, **run.params}


@contextlib.contextmanager
def _progress(total: int, done: int, enabled: bool):
    """A rich progress bar on stderr: runs done / failed / left and the ETA."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    if not enabled:
        yield lambda *_: None
        return
    bar = Progress(TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("done {task.fields[done]} · failed {task.fields[failed]} · left {task.fields[left]}"),
                   TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=Console(stderr=True))
    with bar:
        task = bar.add_task("runs", total=total, completed=done, done=done, failed=0, left=total - done)

        def update(done: int, failed: int, left: int) -> None:
            bar.update(task, completed=done + failed, done=done, failed=failed, left=left)

        yield update


def _run_serial(pending, rec: _Recorder, update) -> None:
    for run in pending:
        try:
            res = run_one(run.config, run.seed, _tags(run))
        except Exception as exc:  # a run that raises is recorded and the batch goes on (module docstring)
            rec.failed(run.run_id, _error_line(exc), "serial")
        else:
            res.worker = "serial"
            rec.done(res)
        c = rec.counts()
        update(c["done"], c["failed"], c["pending"])


def _run_dask(client, pending, rec: _Recorder, update) -> None:
    """Submit the runs to ``client`` a window at a time and record each as it completes."""
    import uuid

    from distributed import KilledWorker, as_completed

    nthreads = max(1, sum(client.nthreads().values()))
    window = 2 * nthreads + 2
    todo = iter(pending)
    inflight: dict[str, tuple[Any, Any]] = {}
    batch = uuid.uuid4().hex[:8]
    done = as_completed(loop=client.loop)

    def submit() -> bool:
        run = next(todo, None)
        if run is None:
            return False
        fut = client.submit(run_one, run.config, run.seed, _tags(run), key=f"gvc-run-{run.run_id}-{batch}", pure=False)
        inflight[fut.key] = (run, fut)
        done.add(fut)
        return True

    for _ in range(window):
        if not submit():
            break
    try:
        for fut in done:
            run, _ = inflight.pop(fut.key)
            if fut.status == "finished":
                rec.done(fut.result())
            else:
                exc = fut.exception()
                prefix = "worker died while running it, each time it was tried: " if isinstance(exc, KilledWorker) else ""
                rec.failed(run.run_id, prefix + _error_line(exc))
            fut.release()
            c = rec.counts()
            update(c["done"], c["failed"], c["pending"])
            submit()
    finally:  # interrupted: the runs still in flight stay pending
        if inflight:
            client.cancel([fut for _, fut in inflight.values()])


def _connect(scheduler: str):
    """A client of an existing scheduler; one out of reach within :data:`CONNECT_TIMEOUT` is a
    one-line :class:`BatchError`."""
    from distributed import Client

    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BatchError(f"--scheduler {scheduler}: cannot connect ({_error_line(exc)})") from None


def _local_cluster(workers: int, retries: int):
    """An embedded ``LocalCluster`` on 127.0.0.1: processes, one thread each, BLAS pinned at spawn,
    the dashboard on localhost only."""
    import dask
    from distributed import Client, LocalCluster

    dashboard = "127.0.0.1:0"  # localhost only, a free port; the pages need bokeh, else only /health and /metrics
    with dask.config.set({"distributed.scheduler.allowed-failures": retries,
                          "distributed.nanny.pre-spawn-environ":
                              dask.config.get("distributed.nanny.pre-spawn-environ", {}) | BLAS_ENV}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=dashboard, env=WORKER_ENV, silence_logs=logging.ERROR)
    return cluster, Client(cluster, set_as_default=False)


@contextlib.contextmanager
def batch_client(workers: int | None = None, scheduler: str | None = None, serial: bool = False,
                 retries: int = 1) -> Iterator[Any]:
    """One Dask client for several batches (``run_batch(..., client=c)``): an existing scheduler's,
    an embedded ``LocalCluster``'s (started once, closed at the end), or None with ``serial``."""
    if serial:
        yield None
        return
    cluster = None
    client = _connect(scheduler) if scheduler is not None else None
    if client is None:
        cluster, client = _local_cluster(workers or os.cpu_count() or 1, retries)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_batch(sweep, out: str | Path, *, workers: int | None = None, scheduler: str | None = None,
              serial: bool = False, retries: int = 1, progress: bool = True, client=None) -> dict:
    """Run every run of ``sweep`` not yet done in ``out`` and return the counts by status.

    ``serial``: in this process; ``scheduler``: an existing Dask scheduler (its own
    ``allowed-failures`` decides retries of runs whose worker dies); otherwise an embedded
    ``LocalCluster`` of ``workers`` processes (default: the CPU count) whose scheduler retries
    such a run ``retries`` times before it is recorded failed. ``client`` (tests, notebooks):
    an existing ``distributed.Client`` to use. Nothing is written before the sweep, the folder
    and the scheduler have been checked.
    """
    out = Path(out)
    check_out(out)
    own_client = client is None and not serial
    cluster = None
    if scheduler is not None and client is None and not serial:
        client = _connect(scheduler)
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / RUNS).mkdir(exist_ok=True)
    except OSError as exc:
        if client is not None and own_client:
            client.close()
        raise BatchError(f"--out {out}: cannot create the folder ({exc.strerror})") from None
    t0 = time.perf_counter()
    try:
        with _locked(out):
            _clean_temporaries(out)
            manifest, corrupt = plan_batch(sweep, out)
            pending_ids = set(manifest.loc[manifest.status != "done", "run_id"])
            pending = [r for r in sweep.runs if r.run_id in pending_ids]
            with atomic_path(out / SWEEP_COPY) as tmp:
                tmp.write_text(sweep.text, encoding="utf-8")
            with atomic_path(out / SPEC) as tmp:
                tmp.write_text(json.dumps(sweep.spec(), indent=2) + "\n", encoding="utf-8")
            _write_parquet(out / DESIGN, pd.DataFrame(sweep.points))
            manifest.loc[manifest.status != "done", ["status", "error"]] = ["pending", ""]
            rec = _Recorder(out, manifest)
            rec.flush()
            try:
                if pending and not serial:
                    # numba compiles and writes its cache here, once, before any worker loads it
                    # (workers on other machines with a cache of their own compile it in the plugin)
                    warm_up(pending[0].config)
                    if client is None:
                        cluster, client = _local_cluster(workers or os.cpu_count() or 1, retries)
                    client.register_plugin(WarmUp(pending[0].config))
                with _progress(len(manifest), len(manifest) - len(pending), progress) as update:
                    if serial:
                        pin_blas()
                        _run_serial(pending, rec, update)
                    elif pending:
                        _run_dask(client, pending, rec, update)
            finally:
                rec.flush()
    finally:
        if client is not None and own_client:
            client.close()
        if cluster is not None:
            cluster.close()
    counts = rec.counts()
    return counts | {"runs": len(manifest), "ran": len(pending), "corrupt": corrupt,
                     "seconds": time.perf_counter() - t0, "created": created}


# --------------------------------------------------------------------------- compaction
def compact_batch(out: str | Path) -> int:
    """Merge the done runs' files into one Parquet dataset ``DIR/dataset/`` partitioned by
    scenario (hive: ``scenario=NAME/``), then remove the merged run files; returns the runs merged.

    The new dataset is written beside the old, swapped in, and the manifest updated before
    any run file is removed, so after a crash at any point every run is readable or pending.
    """
    import shutil
    import tempfile

    import pyarrow.dataset as ds

    from gvc_abm.analysis.batch import load_batch

    out = Path(out)
    with _locked(out):
        manifest = read_manifest(out)
        if manifest is None:
            raise BatchError(f"{out}: no readable {MANIFEST}; not a batch folder")
        for stale in out.glob(f".{DATASET}.*"):  # what a killed compaction left
            shutil.rmtree(stale, ignore_errors=True)
        done = manifest.status == "done"
        if not done.any():
            return 0
        table = pa.Table.from_pandas(load_batch(out), preserve_index=False)
        tmp = Path(tempfile.mkdtemp(prefix=f".{DATASET}.", dir=out))
        try:
            ds.write_dataset(table, tmp / DATASET, format="parquet", partitioning=["scenario"],
                             partitioning_flavor="hive", existing_data_behavior="error", preserve_order=True)
            old = out / DATASET
            if old.exists():
                os.replace(old, tmp / "old")
            os.replace(tmp / DATASET, old)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        manifest.loc[done, "location"] = DATASET
        _write_parquet(out / MANIFEST, manifest)
        for rid in manifest.loc[done, "run_id"]:
            (out / RUNS / f"{rid}.parquet").unlink(missing_ok=True)
    return int(done.sum())
