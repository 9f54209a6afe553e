"""``bootstrap`` and ``estat bootstrap``: resample the data with replacement, rerun the
command, and summarize the replicates ([R] bootstrap).

``bootstrap [exp_list], reps(#) [seed(#) strata(varlist) cluster(varlist) idcluster(newvar)
size(#) saving(file[, replace double]) level(#) nodots noisily notable noheader
nolegend nodrop nowarn]: command``. When the command leaves an ``e(sample)`` — an estimation
command, or a program that ran one, as Stata's resampling check sees it — the data are first
restricted to it (``nodrop`` keeps every observation) and the default expression list is
``_b``; otherwise every observation is resampled, with Stata's warning saying so (``nowarn``
drops the warning). The command runs through the
session's executor on each resample. Results go to ``e()``: ``e(b)`` observed, ``e(V)`` the
replicates' covariance, ``e(b_bs)``, ``e(bias)``, ``e(se)``, ``e(z0)``, ``e(ci_normal)``,
``e(ci_percentile)``, ``e(ci_bc)``, ``e(N_reps)``, ``e(N_misreps)``.
"""

from __future__ import annotations

import textwrap

import numpy as np

from libs.engine.dataset import Dataset
from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.estat import subcommand
from libs.engine.estimation.post import is_omitted_name
from libs.engine.estimation.replication import (
    Dots,
    Expression,
    evaluate,
    expressions,
    legend,
    parse_saving,
    replicate,
    row_matrix,
    run,
    seed_option,
    split_prefix,
)
from libs.engine.formats import format_number
from libs.engine.groups import group_ids
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.stata_stats.estimation import Estimation
from libs.stata_stats.resampling import bootstrap_covariance, bootstrap_summary

_OPTIONS = Spec("[, Reps(integer 50) SEED(string) SAVing(string) STRata(varlist) "
                "CLuster(varlist) IDcluster(name) SIze(integer -1) noDOTS NOIsily "
                "Level(real 95) noTABle noHeader noLegend FORCE Verbose noDROP noWARN]")
_ESTAT = Spec("[, Normal Percentile BC BCA ALL noHeader noLegend Verbose]")
_CI_KEYS = {"normal": ("N", "Normal"), "percentile": ("P", "Percentile"),
            "bc": ("BC", "Bias-corrected")}


@command("bootstrap", syntax=None)
def bootstrap(session: Session, args: Args) -> None:
    """``bootstrap [exp_list] [, options]: command``."""
    prefix = split_prefix(args.raw, "bootstrap")
    opts = _OPTIONS.parse(", " + prefix.options, session)
    reps = int(opts.opt("reps", 50))
    if reps < 2:
        raise StataError(198, "reps() must be at least 2")
    saving = parse_saving(session, opts.opt("saving"))
    seed_option(session, opts.opt("seed"))
    noisily = bool(opts.opt("noisily"))
    before = session.e
    run(session, prefix.command, noisily=noisily)  # the observed statistics
    eclass = session.e is not before and "b" in session.e.matrices
    if not prefix.exp_list.strip() and not eclass:
        raise StataError(198, "expression list required")
    exps = expressions(session, prefix.exp_list or "_b", "_bs")
    observed = evaluate(session, exps)
    full = session.data
    inner = session.e
    restrict = eclass and inner.sample is not None and not opts.opt("nodrop")
    sample = inner.sample if restrict and inner.sample is not None else np.ones(full.n, bool)
    base = full.copy()
    base.take(sample)
    name = prefix.command.split()[0]
    session.log.lines([f"(running {name} on estimation sample)", ""])
    if not eclass and not opts.opt("nowarn"):
        session.log.lines(_no_sample_warning(name, "bootstrap"))
    draw = _Resampler(session, base, opts)
    dots = Dots(session.log, "Bootstrap replications", reps, shown=not opts.opt("nodots"))
    values = replicate(session, prefix.command, exps, reps, draw.sample, dots, noisily=noisily)
    if saving is not None:
        saving.write(exps, values)
    results = _post(session, prefix.command, exps, observed, values, opts, base.n, draw)
    results.macros["cmdline"] = f"bootstrap {args.raw.strip()}"
    results.sample = sample
    results.macros["depvar"] = inner.macros.get("depvar", "") if eclass else ""
    if eclass and not prefix.exp_list.strip():
        results.macros["cmd"] = inner.macros.get("cmd", "bootstrap")
    session.post_e(results)
    if not opts.opt("notable"):
        session.log.lines(_table(session, exps, opts))


def _no_sample_warning(name: str, caller: str) -> list[str]:
    """The warning Stata's resampling prefixes print when the command leaves no e(sample)
    (its _resample_warn: two SMCL paragraphs, {p 0 10 2} and {p 10 10 2}, at line width 78)."""
    first = (f"Warning:  Because {name} is not an estimation command or does not set "
             f"e(sample), {caller} has no way to determine which observations are used in "
             "calculating the statistics and so assumes that all observations are used. "
             "This means that no observations will be excluded from the resampling because "
             "of missing values or other reasons.")
    second = ("If the assumption is not true, press Break, save the data, and drop the "
              "observations that are to be excluded. Be sure that the dataset in memory "
              "contains only the relevant data.")
    indent = " " * 10
    return [*textwrap.wrap(first, 78, subsequent_indent=indent), "",
            *textwrap.wrap(second, 78, initial_indent=indent, subsequent_indent=indent), ""]


class _Resampler:
    """Draws bootstrap samples of the data: observations (or clusters) with replacement,
    within strata, ``size()`` per stratum (default: as many as there are)."""

    def __init__(self, session: Session, base: Dataset, opts: Args) -> None:
        self.session, self.base = session, base
        self.size = int(opts.opt("size", -1))
        self.idcluster = opts.opt("idcluster")
        strata = opts.opt("strata") or []
        clusters = opts.opt("cluster") or []
        self.strata, self.n_strata = group_ids(base, strata) if strata else (
            np.zeros(base.n, dtype=np.intp), 1)
        self.clusters, self.n_clusters = group_ids(base, clusters) if clusters else (
            np.arange(base.n), base.n)
        self.clustered = bool(clusters)
        if self.size == 0 or self.size < -1:
            raise StataError(198, "size() must be positive")

    def sample(self) -> Dataset:
        """One resample, as a new dataset (the base data are never changed)."""
        rng = self.session.rng
        rows: list[np.ndarray] = []
        new_ids: list[np.ndarray] = []
        next_id = 1
        for s in range(self.n_strata):
            members = np.flatnonzero(self.strata == s)
            units = np.unique(self.clusters[members])
            k = len(units) if self.size < 0 else self.size
            if self.size > len(units):
                raise StataError(498, "size() may not exceed the number of observations "
                                      "(clusters) in a stratum")
            for unit in rng.choice(units, size=k, replace=True):
                chosen = members[self.clusters[members] == unit]
                rows.append(chosen)
                new_ids.append(np.full(len(chosen), float(next_id)))
                next_id += 1
        index = np.concatenate(rows) if rows else np.zeros(0, dtype=np.intp)
        data = self.base.copy()
        data.take(index)
        if self.idcluster:
            data.add(self.idcluster, np.concatenate(new_ids), "long")
        return data


def _post(session: Session, command_line: str, exps: list[Expression], observed: np.ndarray,
          values: np.ndarray, opts: Args, n_obs: int, draw: _Resampler) -> Results:
    """``e()`` of the bootstrap."""
    level = float(opts.opt("level", 95.0))
    summary = bootstrap_summary(observed, values, level)
    names = [e.row for e in exps]
    complete = int(np.isfinite(values).all(axis=1).sum())
    scalars = {"N": float(n_obs), "N_reps": float(complete),
               "N_misreps": float(values.shape[0] - complete), "level": level,
               "k_exp": float(sum(not e.extended for e in exps)),
               "k_eexp": float(sum(e.extended for e in exps)), "k_eq": 1.0,
               "N_strata": float(draw.n_strata)}
    if draw.clustered:
        scalars["N_clust"] = float(draw.n_clusters)
    macros = {"cmd": "bootstrap", "prefix": "bootstrap", "cmdname": command_line.split()[0],
              "command": command_line, "title": "Bootstrap results", "vce": "bootstrap",
              "vcetype": "Bootstrap", "properties": "b V"}
    macros.update({f"exp{k}": e.text for k, e in enumerate(exps, start=1)})
    cis = {"ci_normal": summary.ci_normal, "ci_percentile": summary.ci_percentile,
           "ci_bc": summary.ci_bc}
    matrices = {"b": row_matrix(observed, names), "V": Matrix(bootstrap_covariance(values),
                                                               names, names),
                "b_bs": row_matrix(summary.mean, names), "reps": row_matrix(summary.n_reps, names),
                "bias": row_matrix(summary.bias, names), "se": row_matrix(summary.se, names),
                "z0": row_matrix(summary.z0, names)}
    matrices.update({key: Matrix(ci, ["ll", "ul"], names) for key, ci in cis.items()})
    return Results(scalars=scalars, macros=macros, matrices=matrices)


def _header(e: Results, label_col: int = 56) -> list[str]:
    """``Bootstrap results ... Number of obs = N`` / ``Replications = k``."""
    values = [f"{int(e.scalars['N']):,}", f"{int(e.scalars['N_reps']):,}"]
    width = max(len(v) for v in values)
    title = e.macros.get("title", "Bootstrap results")
    return [title.ljust(label_col) + f"Number of obs = {values[0]:>{width}}",
            " " * label_col + f"Replications  = {values[1]:>{width}}"]


def _legend(e: Results, exps_text: list[tuple[str, str]]) -> list[str]:
    rows = [(name, text) for name, text in exps_text if not text.startswith(("_b[", "_se["))]
    return [f"{'Command':>13}: {e.macros.get('command', '')}"] + [
        f"{name[:13]:>13}: {text}" for name, text in rows]


def _table(session: Session, exps: list[Expression], opts: Args) -> list[str]:
    """The results table: observed value, bootstrap standard error, z test, normal CI."""
    e = session.e
    lines: list[str] = []
    if not opts.opt("noheader"):
        lines += ["", *_header(e)]
        if not opts.opt("nolegend") and any(not x.extended for x in exps):
            lines += ["", *legend(e.macros["command"], exps)]
    names = tuple(x.row for x in exps)
    est = Estimation(cmd="bootstrap", depvar=e.macros.get("depvar", ""), names=names,
                     b=e.matrices["b"].values[0], V=e.matrices["V"].values,
                     omitted=tuple(is_omitted_name(n) for n in names), scalars={}, macros={},
                     df_r=None)
    level = float(opts.opt("level", 95.0))
    rows = output.coefficient_lines(session, est, level)
    ci = f"[{level:g}% conf. interval]"
    depvar = est.depvar[:12] if est.depvar else ""
    lines += ["", rows[0],
              f"{'':>12} |   Observed   Bootstrap{'Normal-based':>37}",
              f"{depvar:>12} | coefficient  std. err.      z    P>|z|{ci:>25}",
              *rows[2:]]
    return lines


@subcommand("bootstrap", abbrev=4)
def estat_bootstrap(session: Session, text: str) -> None:
    """``estat bootstrap [, normal percentile bc all]``: the intervals of the last
    bootstrap (bias-corrected by default)."""
    e = session.e
    if e.macros.get("prefix") != "bootstrap":
        raise StataError(321, "estat bootstrap requires bootstrap results")
    opts = _ESTAT.parse(text, session)
    if opts.opt("bca"):
        raise StataError(198, "BCa intervals are not available in the embedded engine")
    kinds = [k for k in ("normal", "percentile", "bc") if opts.opt(k) or opts.opt("all")]
    kinds = kinds or ["bc"]
    names = e.matrices["b"].colnames
    b, bias, se = (e.matrices[k].values[0] for k in ("b", "bias", "se"))
    lines: list[str] = []
    if not opts.opt("noheader"):
        values = [f"{int(e.scalars['N']):,}", f"{int(e.scalars['N_reps']):,}"]
        lines += ["", f"{'Bootstrap results':<48}{'Number of obs':<18}= {values[0]:>10}",
                  f"{'':<48}{'Replications':<18}= {values[1]:>10}"]
        if not opts.opt("nolegend"):
            exps = [(n, e.macros.get(f"exp{k}", "")) for k, n in enumerate(names, start=1)]
            lines += ["", *_legend(e, exps)]
    level = e.scalars.get("level", 95.0)
    lines += ["", "-" * 78, f"{'':>12} |    Observed               Bootstrap",
              f"{'':>12} | coefficient       Bias    std. err.  [{level:g}% conf. interval]",
              "-" * 13 + "+" + "-" * 64]
    for j, name in enumerate(names):
        for k, kind in enumerate(kinds):
            ci = e.matrices[f"ci_{kind}"].values[:, j]
            key = f"({_CI_KEYS[kind][0]})"
            lead = (f"{format_number(b[j], '%10.0g'):>12}{format_number(bias[j], '%9.0g'):>11}"
                    f"{format_number(se[j], '%10.0g'):>12}") if k == 0 else " " * 35
            label = name[:12] if k == 0 else ""
            lines.append(f"{label:>12} |{lead}{format_number(ci[0], '%9.0g'):>12}"
                         f"{format_number(ci[1], '%9.0g'):>11}{key:>6}")
    lines.append("-" * 78)
    keys = [_CI_KEYS[kind] for kind in kinds]
    lines += [("Key: " if i == 0 else "     ") + f"{short:>2}: {long}"
              for i, (short, long) in enumerate(keys)]
    session.log.lines(lines)
