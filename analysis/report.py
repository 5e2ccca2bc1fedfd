"""The stylized-facts report as text: a Markdown table, an HTML page with the figures inline, and a figure per fact.

Pure functions of :class:`~.facts.FactResult` lists and plain metadata; the caller writes the
files. One row per fact: id, source, what the paper says, the estimate with its 95 % interval
across seeds, pass or fail on the stated criterion, emergent or assumed, and the detail (how far
off a level is, the other participation measure, what was tried). The header counts the passes
and how many of them are emergent (only those count as evidence).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .facts import FACTS, FactResult

__all__ = ["summary_line", "render_markdown", "render_html", "fact_figure", "figure_png"]

_FACT = {f.id: f for f in FACTS}


def _fmt(x) -> str:
    if x is None or not np.isfinite(x):
        return "n/a"
    a = abs(x)
    return f"{x:.2e}" if (a != 0 and (a < 1e-3 or a >= 1e4)) else f"{x:.4g}"


def summary_line(results: Sequence[FactResult]) -> str:
    """``k of n facts pass; e of them emergent`` (assumed passes named)."""
    passed = [r for r in results if r.passed]
    emergent = [r for r in passed if _FACT[r.id].emergent]
    assumed = [r.id for r in passed if not _FACT[r.id].emergent]
    line = f"{len(passed)} of {len(results)} facts pass; {len(emergent)} of those are emergent"
    if assumed:
        line += f" (assumed, not counted as evidence: {', '.join(assumed)})"
    return line


def _meta_lines(meta: Mapping) -> list[str]:
    lines = [f"Size: {meta.get('size_label', '?')} ({meta.get('seeds', '?')} seeds per point, "
             f"{meta.get('firms', '?')} firms in the default world, {meta.get('periods', '?')} periods per sweep run)."]
    if meta.get("quick"):
        lines.append("This is a --quick report (fewer seeds, fewer firms, shorter runs, for CI): intervals are wide "
                     "and verdicts provisional; the full report runs 10 seeds.")
    for name, what in meta.get("experiments", {}).items():
        lines.append(f"- experiment `{name}`: {what}")
    for note in meta.get("notes", []):
        lines.append(f"- note: {note}")
    if "seconds" in meta:
        lines.append(f"Ran in {meta['seconds']:.0f} s.")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table_lines(meta: Mapping) -> list[str]:
    """The real table beside the world calibrated from it (Markdown), or why it is absent."""
    comp = meta.get("real_table")
    if comp is None:
        return ["## Real table beside simulated", "", meta.get("real_table_note", "No real table was given "
                "(gvc report --table PATH adds the world calibrated from it)."), ""]
    worst = float(np.nanmax(np.abs(comp["difference_0"]))) if len(comp) else float("nan")
    out = ["## Real table beside simulated", "",
           f"{meta.get('real_table_name', 'table')}: its own indicators, the world calibrated from it at period 0 "
           f"(mean over seeds) and at its last period. Largest period-0 difference: {_fmt(worst)}.", "",
           "| country | indicator | real | simulated, period 0 | difference | simulated, last period |",
           "|---|---|---|---|---|---|"]
    for r in comp.itertuples():
        out.append(f"| {r.country} | {r.indicator} | {r.real:.4f} | {r.simulated_0:.4f} | {_fmt(r.difference_0)} | "
                   f"{r.simulated_last:.4f} |")
    return out + [""]


def _regression_lines(meta: Mapping) -> list[str]:
    reg = meta.get("regressions")
    out = ["## The papers' regressions on the simulated panels", ""]
    if reg is None or len(reg) == 0:
        return out + ["No panel to estimate them on.", ""]
    out += ["Per seed, then the mean and 95 % interval across seeds; `paper` is the published number (Qu & Yang "
            "Tables 1-3: standardized, GVC participation; Gao, Li & Zhu Table 3 col. 1 and Table 4: KOF on TBI).", "",
            "| panel | spec | sample | term | paper | simulated [95 % CI] | seeds |", "|---|---|---|---|---|---|---|"]
    for r in reg.itertuples():
        out.append(f"| {r.panel} | {r.spec} | {r.sample} | {r.term} | {_fmt(r.paper)} | {_fmt(r.coef)} "
                   f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}] | {r.seeds} |")
    return out + [""]


_HISTORICAL_INTRO = ("The historical scenario (2000-2017, mean and 95 % interval across seeds) beside the seeds' numbers: "
                     "direction is `same` when the whole interval has the paper's sign (a ratio: its side of 1); "
                     "magnitude compares the simulated with the paper's number (ratio in [0.1, 10]: same order). "
                     "Years after 2017 are read at 2017. The HHI levels are not comparable (14 exporters here, "
                     "about 190 in the paper), so only their changes are compared.")


def _historical_lines(meta: Mapping) -> list[str]:
    hist = meta.get("historical")
    out = ["## The historical scenario against the seeds' numbers", ""]
    if hist is None or len(hist) == 0:
        return out + ["The historical scenario was not run.", ""]
    same = int((hist["direction"] == "same").sum())
    signed = int(hist["direction"].isin(["same", "opposite", "unclear"]).sum())
    order = int((hist["magnitude"] == "same order").sum())
    out += [_HISTORICAL_INTRO, "", f"Direction as the paper's in {same} of {signed} signed numbers; the same order of "
            f"magnitude in {order} of {len(hist)}.", "",
            "| quantity | source | years (paper) | paper | simulated [95 % CI] | years (run) | direction | ratio | magnitude |",
            "|---|---|---|---|---|---|---|---|---|"]
    for r in hist.itertuples():
        out.append(f"| {r.quantity} | {r.source} | {r.years} | {_fmt(r.paper)} | {_fmt(r.simulated)} "
                   f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}] | {r.years_simulated} | {r.direction} | {_fmt(r.ratio)} | "
                   f"{r.magnitude} |")
    return out + [""]


def render_markdown(results: Sequence[FactResult], meta: Mapping) -> str:
    """The report as Markdown: header, one table row per fact, the real table beside simulated, then each
    fact's criterion and detail."""
    out = ["# gvc-abm: stylized facts report", "", summary_line(results) + ".", ""]
    out += _meta_lines(meta) + [""]
    out += ["| id | source | paper | estimate [95 % CI] | passed | emergent | measure |",
            "|---|---|---|---|---|---|---|"]
    for r in results:
        f = _FACT[r.id]
        est = f"{_fmt(r.estimate)} [{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]"
        out.append(f"| {r.id} | {f.source} | {_cell(f.claim)} | {est} | {'pass' if r.passed else 'FAIL'} | "
                   f"{'emergent' if f.emergent else 'assumed'} | {_cell(f.measure)} |")
    out.append("")
    out += _table_lines(meta)
    out += _historical_lines(meta)
    out += _regression_lines(meta)
    for r in results:
        f = _FACT[r.id]
        out += [f"## {r.id} ({'pass' if r.passed else 'FAIL'}, {'emergent' if f.emergent else 'assumed'})", "",
                f"- criterion: {f.criterion}", f"- {'emergent' if f.emergent else 'assumed'}: {f.why}",
                f"- result: {r.detail}", f"- figure: figures/{r.id}.png", ""]
    return "\n".join(out)


def fact_figure(result: FactResult):
    """The fact's series with 95 % bands (or points with interval bars), the paper's number or sign marked."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.6), layout="constrained")
    ax = fig.add_subplot()
    s = result.series
    if s is None or s.empty:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    else:
        for i, (label, g) in enumerate(s.groupby("label", sort=False)):
            colour = f"C{i % 10}"
            numeric = pd.api.types.is_numeric_dtype(g["x"])
            x = g["x"].to_numpy() if numeric else np.arange(len(g))
            if result.kind == "points" or not numeric:
                off = (i - 0.5) * 0.08 if not numeric else 0.0
                ax.errorbar(x + off, g["mean"], yerr=[g["mean"] - g["low"], g["high"] - g["mean"]], fmt="o",
                            color=colour, label=label, capsize=3, ms=4)
                if not numeric:
                    ax.set_xticks(np.arange(len(g)), [str(v) for v in g["x"]], rotation=20, fontsize=7)
            else:
                ax.plot(x, g["mean"], color=colour, label=label)
                ax.fill_between(x, g["low"].to_numpy(float), g["high"].to_numpy(float), color=colour, alpha=0.2)
    if result.slope is not None and s is not None and not s.empty and (s["mean"] > 0).all():
        x = s["x"].to_numpy(float)
        y0 = float(np.exp(np.mean(np.log(s["mean"].to_numpy(float)) - result.slope * np.log(x))))
        ax.plot(x, y0 * x ** result.slope, "k--", lw=0.8, label=f"slope {result.slope:g} (theory)")
        ax.set_xscale("log")
        ax.set_yscale("log")
    if result.reference is not None:
        ax.axhline(result.reference, color="k", lw=0.8, ls="--", label="criterion" if result.reference else "0")
    if result.target is not None:  # a level: the paper's number beside the estimate, on the estimate's scale
        ax.text(0.01, 0.98, f"estimate {_fmt(result.estimate)} [{_fmt(result.ci_low)}, {_fmt(result.ci_high)}], "
                f"paper {_fmt(result.target)}", transform=ax.transAxes, va="top", fontsize=7)
    ax.set_xlabel(result.xlabel)
    ax.set_ylabel(result.ylabel)
    ax.set_title(f"{result.id}: {'pass' if result.passed else 'FAIL'}", fontsize=10)
    if result.id == "QY-closed":
        ax.set_yscale("symlog", linthresh=1e-16)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="best")
    return fig


def figure_png(fig, dpi: int = 100) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def render_html(results: Sequence[FactResult], meta: Mapping, images: Mapping[str, bytes]) -> str:
    """A self-contained HTML page: the summary, the table, and each fact's figure inline (base64 PNG)."""
    e = html.escape
    rows = []
    for r in results:
        f = _FACT[r.id]
        rows.append(
            f"<tr class='{'pass' if r.passed else 'fail'}'><td><a href='#{e(r.id)}'>{e(r.id)}</a></td><td>{e(f.source)}</td>"
            f"<td>{e(f.claim)}</td><td>{e(_fmt(r.estimate))} [{e(_fmt(r.ci_low))}, {e(_fmt(r.ci_high))}]</td>"
            f"<td>{'pass' if r.passed else 'FAIL'}</td><td>{'emergent' if f.emergent else 'assumed'}</td>"
            f"<td>{e(f.measure)}</td></tr>")
    sections = []
    for r in results:
        f = _FACT[r.id]
        img = images.get(r.id)
        tag = (f"<img alt='{e(r.id)}' src='data:image/png;base64,{base64.b64encode(img).decode()}'>" if img else "")
        sections.append(f"<section id='{e(r.id)}'><h2>{e(r.id)} ({'pass' if r.passed else 'FAIL'}, "
                        f"{'emergent' if f.emergent else 'assumed'})</h2><p><b>Criterion:</b> {e(f.criterion)}</p>"
                        f"<p><b>{'Emergent' if f.emergent else 'Assumed'}:</b> {e(f.why)}</p>"
                        f"<p><b>Result:</b> {e(r.detail)}</p>{tag}</section>")
    comp = meta.get("real_table")
    if comp is None:
        table_html = f"<h2>Real table beside simulated</h2><p>{e(_table_lines(meta)[2])}</p>"
    else:
        table_html = ("<h2>Real table beside simulated</h2><p>" + e(_table_lines(meta)[2]) + "</p><table><tr>"
                      "<th>country</th><th>indicator</th><th>real</th><th>simulated, period 0</th><th>difference</th>"
                      "<th>simulated, last period</th></tr>" +
                      "".join(f"<tr><td>{e(str(r.country))}</td><td>{e(r.indicator)}</td><td>{r.real:.4f}</td>"
                              f"<td>{r.simulated_0:.4f}</td><td>{e(_fmt(r.difference_0))}</td>"
                              f"<td>{r.simulated_last:.4f}</td></tr>" for r in comp.itertuples()) + "</table>")
    hist = meta.get("historical")
    hist_lines = _historical_lines(meta)
    hist_html = f"<h2>The historical scenario against the seeds' numbers</h2><p>{e(hist_lines[2])}</p>"
    if hist is not None and len(hist):
        hist_html += (f"<p>{e(hist_lines[4])}</p><table><tr><th>quantity</th><th>source</th><th>years (paper)</th>"
                      "<th>paper</th><th>simulated [95 % CI]</th><th>years (run)</th><th>direction</th><th>ratio</th>"
                      "<th>magnitude</th></tr>" +
                      "".join(f"<tr><td>{e(r.quantity)}</td><td>{e(r.source)}</td><td>{e(r.years)}</td>"
                              f"<td>{e(_fmt(r.paper))}</td><td>{e(_fmt(r.simulated))} [{e(_fmt(r.ci_low))}, "
                              f"{e(_fmt(r.ci_high))}]</td><td>{e(r.years_simulated)}</td><td>{e(r.direction)}</td>"
                              f"<td>{e(_fmt(r.ratio))}</td><td>{e(r.magnitude)}</td></tr>" for r in hist.itertuples())
                      + "</table>")
    reg = meta.get("regressions")
    reg_html = "<h2>The papers' regressions on the simulated panels</h2>"
    if reg is None or len(reg) == 0:
        reg_html += "<p>No panel to estimate them on.</p>"
    else:
        reg_html += (f"<p>{e(_regression_lines(meta)[2])}</p><table><tr><th>panel</th><th>spec</th><th>sample</th>"
                     "<th>term</th><th>paper</th><th>simulated [95 % CI]</th><th>seeds</th></tr>" +
                     "".join(f"<tr><td>{e(r.panel)}</td><td>{e(r.spec)}</td><td>{e(str(r.sample))}</td><td>{e(r.term)}</td>"
                             f"<td>{e(_fmt(r.paper))}</td><td>{e(_fmt(r.coef))} [{e(_fmt(r.ci_low))}, {e(_fmt(r.ci_high))}]"
                             f"</td><td>{r.seeds}</td></tr>" for r in reg.itertuples()) + "</table>")
    meta_html = "".join(f"<p>{e(line)}</p>" if not line.startswith("- ") else f"<li>{e(line[2:])}</li>"
                        for line in _meta_lines(meta))
    style = ("body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse;font-size:13px}"
             "td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}tr.fail td:nth-child(5){color:#b00}"
             "tr.pass td:nth-child(5){color:#070}img{max-width:640px}")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>gvc-abm stylized facts report</title>"
            f"<style>{style}</style></head><body><h1>gvc-abm: stylized facts report</h1>"
            f"<p><b>{e(summary_line(results))}.</b></p>{meta_html}<table><tr><th>id</th><th>source</th><th>paper</th>"
            "<th>estimate [95 % CI]</th><th>passed</th><th>emergent</th><th>measure</th></tr>" + "".join(rows) +
            "</table>" + table_html + hist_html + reg_html + "".join(sections) + "</body></html>\n")
