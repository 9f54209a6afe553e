"""The report as a sequence of blocks, built once and drawn by docx, pdf and html.

Order: title and a sentence on what ran on which data; results (the regression table
and coefficient plot, then every other table with its chart, then the run's figures);
parameters; the data and its variable map; run details. The xlsx lays the same facts out as
sheets instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from libs.reports import cells
from libs.reports.bundle import ResultBundle
from libs.reports.charts import chart_for_table, coefficient_chart
from libs.reports.context import ReportContext
from libs.reports.figures import Chart
from libs.reports.grid import Grid, pairs_grid, table_grid
from libs.reports.regtable import regression_grid


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading."""

    text: str


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph; ``note`` paragraphs print small."""

    text: str
    style: Literal["body", "note"] = "body"


@dataclass(frozen=True, slots=True)
class Picture:
    """A chart with its caption."""

    chart: Chart


Block = Heading | Text | Grid | Picture


@dataclass(frozen=True, slots=True)
class Outline:
    """Title, subtitle and the blocks under them."""

    title: str
    subtitle: str
    blocks: list[Block]

    def texts(self) -> list[str]:
        """Every string the report prints (for font coverage checks)."""
        out = [self.title, self.subtitle]
        for block in self.blocks:
            if isinstance(block, Grid):
                out += [block.title, *block.notes]
                out += [text for row in block.header + block.body for text in row]
            elif isinstance(block, Picture):
                out.append(block.chart.title)
            else:
                out.append(block.text)
        return out


def outline(bundle: ResultBundle) -> Outline:
    """The report of ``bundle``."""
    context = bundle.context
    blocks: list[Block] = [Text(summary(bundle)), Heading("Results")]
    if bundle.models:
        blocks.append(regression_grid(bundle.models, context.variable_labels()))
        plot = coefficient_chart(bundle)
        if plot is not None:
            blocks.append(Picture(plot))
    for table in bundle.tables:
        blocks.append(table_grid(table))
        chart = chart_for_table(bundle, table)
        if chart is not None:
            blocks.append(Picture(chart))
    if bundle.figures:
        blocks.append(Heading("Figures"))
        blocks += [Picture(figure) for figure in bundle.figures]
    if not bundle.models and not bundle.tables and not bundle.figures:
        blocks.append(Text("The template wrote no result tables.", "note"))
    if context.params:
        blocks += [Heading("Parameters"),
                   pairs_grid("", ("Parameter", "Value"), parameter_pairs(context))]
    if context.inputs:
        blocks.append(Heading("Data"))
        for data in context.inputs:
            blocks.append(Text(f"{data.name}: {data.rows:,} observations, "
                               f"{len(data.columns)} variables."))
            if data.columns:
                blocks.append(Grid(
                    title=f"Variables of {data.name}",
                    header=[["Variable", "Stata name", "Label", "Type"]],
                    body=[[c.name, c.stata_name, c.label, c.type] for c in data.columns],
                    align=["l", "l", "l", "l"]))
    blocks += [Heading("Run details"), pairs_grid("", ("Item", "Value"), run_pairs(context))]
    what = context.what_ran()
    subtitle = f"{what[0].upper()}{what[1:]} · job {context.job_id}"
    return Outline(title=context.template_title, subtitle=subtitle, blocks=blocks)


def summary(bundle: ResultBundle) -> str:
    """One paragraph on what was run, on what data, with what result."""
    context = bundle.context
    data = "; ".join(f"{t.name} ({t.rows:,} observations, {len(t.columns)} variables)"
                     for t in context.inputs) or "no input data"
    wrote = [_count(len(items), noun) for items, noun in
             ((bundle.tables, "table"), (bundle.figures, "figure")) if items]
    done = [f"estimated {_count(len(bundle.models), 'model')}"] if bundle.models else []
    if wrote:
        done.append(f"wrote {' and '.join(wrote)}")
    result = f" It {' and '.join(done)}." if done else ""
    if context.kind == "dofile":
        return (f"{context.template_title} (sha256 {context.template_version[:12]}) ran on "
                f"the {context.engine} engine.{result}")
    return (f"{context.template_title} (template {context.template_id}, version "
            f"{context.template_version}) ran on the {context.engine} engine with {data}."
            f"{result}")


def parameter_pairs(context: ReportContext) -> list[tuple[str, str]]:
    """Parameters as name/value text, lists joined with commas."""
    return [(name, ", ".join(value) if isinstance(value, list) else cells.plain(value))
            for name, value in context.params.items()]


def run_pairs(context: ReportContext) -> list[tuple[str, str]]:
    """Job, template, engine, attempt and timings as name/value text."""
    timings = context.timings
    pairs = [("Job", context.job_id), ("Tenant", context.tenant),
             ("Do-file", f"{context.template_id} (sha256 {context.template_version[:12]})")
             if context.kind == "dofile" else
             ("Template", f"{context.template_id} v{context.template_version}"),
             ("Engine", context.engine), ("Attempt", str(context.attempt))]
    for name, stamp in (("Queued", timings.queued), ("Started", timings.started),
                        ("Finished", timings.finished)):
        if stamp:
            pairs.append((name, stamp))
    if timings.run_seconds is not None:
        pairs.append(("Run time", f"{timings.run_seconds:.1f} s"))
    return pairs


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
