"""``rdrobust`` and ``rdbwselect`` (SSC rdrobust, Calonico, Cattaneo, Farrell and Titiunik):
local polynomial RD estimates with robust bias-corrected inference and their bandwidths.

Options and output follow the package's help and its Stata output: the two-column summary
(observations, effective observations, orders, bandwidths), then the table of conventional
and robust estimates (``all`` adds the bias-corrected row); ``e()`` as the help lists it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.engine.errors import StataError
from libs.engine.estimation.request import stata_errors
from libs.engine.formats import format_number
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.varlist import expand
from libs.stata_stats.rd_bandwidth import Bandwidths, Side, select
from libs.stata_stats.rd_estimate import estimate
from libs.stata_stats.rd_local import Vce

_KERNELS = {"tri": "triangular", "triangular": "triangular", "epa": "epanechnikov",
            "epanechnikov": "epanechnikov", "uni": "uniform", "uniform": "uniform"}
_METHODS = ("mserd", "msetwo", "msesum", "msecomb1", "msecomb2", "cerrd", "certwo",
            "cersum", "cercomb1", "cercomb2")
_COMMON = ("varlist(numeric min=2 max=2) [if] [in] [, c(real 0) FUZZy(string) "
           "DERiv(integer 0) SCALEPar(real 1) p(integer 1) q(integer -1) "
           "COVs(string) COVS_drop(string) KERnel(string) WEIGhts(varname) "
           "BWSELect(string) SCALERegul(real 1) MASSpoints(string) BWCHeck(integer 0) "
           "BWRESTrict(string) STDVars(string) vce(string) Level(real 95) all")


@dataclass
class RdData:
    """The sample of an RD command, split at the cutoff and sorted by the running variable."""

    left: Side
    right: Side
    c: float
    y: str
    x: str
    fuzzy: str
    covs: list[str]
    vce: Vce
    vce_type: str
    clustvar: str
    kernel: str
    masspoints: str
    mass_found: bool
    unique: tuple[int, int]
    n: int
    sharpbw: bool
    sample: np.ndarray  #: e(sample) over all observations

    @property
    def groups(self) -> tuple[int, int]:
        """Number of clusters on each side."""
        if self.left.clusters is None or self.right.clusters is None:
            return 0, 0
        return len(np.unique(self.left.clusters)), len(np.unique(self.right.clusters))


def prepare(session: Session, args: Args) -> RdData:
    """Sample, sides, kernel and vce() of ``rdrobust``/``rdbwselect``/``rdplot``."""
    y, x = args.varlist
    ds = session.data
    touse = args.touse(session)
    fuzzy_words = (args.opt("fuzzy") or "").split()
    covs = expand(ds, args.opt("covs")) if args.opt("covs") else []
    kernel = _KERNELS.get((args.opt("kernel") or "triangular").lower())
    if kernel is None:
        raise StataError(198, "kernel() incorrectly specified")
    vce, vce_type, clustvar = _vce(session, args.opt("vce") or "nn")
    cols = [y, x, *fuzzy_words[:1], *covs, *([args.opt("weights")] if args.opt("weights")
                                              else []), *([clustvar] if clustvar else [])]
    for name in cols:
        touse &= np.isfinite(ds.numeric(name))
    rows = np.flatnonzero(touse)
    xs = ds.numeric(x)[rows]
    order = np.argsort(xs, kind="stable")
    rows = rows[order]
    xs = xs[order]
    c = float(args.opt("c", 0.0))
    if len(rows) < 20 or not xs.min() < c < xs.max():
        raise StataError(198, "c() should be set within the range of " + x
                         if len(rows) >= 20 else "Not enough observations to perform "
                                                 "calculations")
    D = np.column_stack([ds.numeric(v)[rows] for v in [y, *fuzzy_words[:1], *covs]])
    weights = ds.numeric(args.opt("weights"))[rows] if args.opt("weights") else np.ones(len(rows))
    clusters = ds.numeric(clustvar)[rows] if clustvar else None
    left_mask = xs < c
    sides = []
    for mask in (left_mask, ~left_mask):
        sides.append(Side(xs[mask], D[mask], weights[mask],
                          None if clusters is None else clusters[mask],
                          fuzzy=bool(fuzzy_words), n_covs=len(covs)))
    masspoints = (args.opt("masspoints") or "adjust").lower()
    m_l, m_r = len(sides[0].unique), len(sides[1].unique)
    found = masspoints != "off" and (1 - m_l / len(sides[0].x) >= 0.2
                                     or 1 - m_r / len(sides[1].x) >= 0.2)
    if found:
        session.log.out("Mass points detected in the running variable.")
    sample = np.zeros(ds.n, dtype=np.bool_)
    sample[rows] = True
    return RdData(sides[0], sides[1], c, y, x, fuzzy_words[0] if fuzzy_words else "", covs,
                  Vce(vce.kind, vce.matches, clusters), vce_type, clustvar, kernel, masspoints,
                  found, (m_l, m_r), len(rows), "sharpbw" in fuzzy_words[1:], sample)


def _vce(session: Session, text: str) -> tuple[Vce, str, str]:
    words = text.split()
    kind = words[0].lower() if words else "nn"
    if kind == "nn":
        return Vce("nn", int(words[1]) if len(words) > 1 else 3), "NN", ""
    if kind in ("hc0", "hc1", "hc2", "hc3"):
        return Vce(kind), kind.upper(), ""
    if kind in ("cluster", "nncluster") and len(words) >= 2:
        var = expand(session.data, words[1])[0]
        matches = int(words[2]) if len(words) > 2 else 3
        if kind == "cluster":
            return Vce("hc1"), "CR1", var
        return Vce("nn", matches), "CR1", var
    raise StataError(198, "vce() incorrectly specified")


def bandwidths(data: RdData, args: Args, method: str, p: int, q: int) -> Bandwidths:
    """rdbwselect for ``data`` (a fuzzy design with sharpbw, or with perfect compliance on
    one side, selects as for the sharp design)."""
    left, right = data.left, data.right
    if left.fuzzy:
        perfect = np.var(left.D[:, 1]) == 0 or np.var(right.D[:, 1]) == 0
        if data.sharpbw or perfect:
            keep = [0, *range(2, left.D.shape[1])]
            left = Side(left.x, left.D[:, keep], left.weights, left.clusters, False,
                        left.n_covs)
            right = Side(right.x, right.D[:, keep], right.weights, right.clusters, False,
                         right.n_covs)
    check = int(args.opt("bwcheck", 0)) or None
    with stata_errors():
        return select(left, right, data.c, p=p, q=q, deriv=int(args.opt("deriv", 0)),
                      kernel=data.kernel, vce=data.vce, method=method,
                      scaleregul=float(args.opt("scaleregul", 1.0)),
                      masspoints=data.masspoints, bwcheck=check,
                      bwrestrict=(args.opt("bwrestrict") or "on") != "off")


def _orders(args: Args) -> tuple[int, int, int]:
    p, deriv = int(args.opt("p", 1)), int(args.opt("deriv", 0))
    q = int(args.opt("q", -1))
    q = p + 1 if q < 0 else q
    if p < 0 or deriv < 0 or q <= p or deriv > p:
        raise StataError(198, "q() should be higher than p()" if q <= p else
                         "deriv() can not be higher than p()")
    return p, q, deriv


def _method(args: Args) -> str:
    method = (args.opt("bwselect") or "mserd").lower()
    if method not in _METHODS:
        raise StataError(198, "bwselect() incorrectly specified")
    return method


def cols(*parts: tuple[int, str]) -> str:
    """Text placed at 1-based columns (``_col(#)``, moving forward only)."""
    line = ""
    for col, text in parts:
        if len(line) < col - 1:
            line = line.ljust(col - 1)
        line += text
    return line


def _sample_rows(data: RdData) -> list[tuple[str, str, str]]:
    """The summary's unique-values and cluster-count rows, when they apply."""
    rows = []
    if data.masspoints == "check" or data.mass_found:
        rows.append(("Unique obs", f"{data.unique[0]:9.0f}", f"{data.unique[1]:9.0f}"))
    if data.clustvar:
        rows.append(("Number of clusters", f"{data.groups[0]:9.0f}", f"{data.groups[1]:9.0f}"))
    return rows


def _summary(data: RdData, n_label: str, rows: list[tuple[str, str, str]],
             right: list[str]) -> list[str]:
    c_text = format_number(data.c, "%9.0g").strip()
    out = [cols((1, f"{' Cutoff c = ' + c_text:>18}"), (19, " | "), (22, "Left of c"),
                (33, "Right of c"), (55, f"{n_label}{data.n:>10}")),
           cols((1, "-" * 19 + "+" + "-" * 22), (55, right[0]))]
    for k, (label, a, b) in enumerate(rows):
        extra = [(55, right[k + 1])] if k + 1 < len(right) else []
        out.append(cols((1, f"{label:>18}"), (19, " | "), (21, a), (34, b), *extra))
    return out


def _kernel_name(kernel: str) -> str:
    return kernel.capitalize()


@command("rdrobust", syntax=_COMMON + " h(numlist) b(numlist) rho(real 0)]",
         byable="recall")
def rdrobust(session: Session, args: Args) -> None:
    """``rdrobust depvar runvar [if] [in] [, c() fuzzy() deriv() p() q() h() b() rho()
    covs() kernel() weights() bwselect() vce() level() all ...]``."""
    p, q, deriv = _orders(args)
    data = prepare(session, args)
    method = _method(args)
    h_opt, b_opt = args.opt("h") or [], args.opt("b") or []
    rho = float(args.opt("rho", 0.0))
    if h_opt:
        h = (h_opt[0], h_opt[-1])
        b = (b_opt[0], b_opt[-1]) if b_opt else (h[0] / rho, h[1] / rho) if rho else h
        method = "Manual"
    else:
        bw = bandwidths(data, args, method, p, q)
        h = (bw.h_l, bw.h_r)
        b = (h[0] / rho, h[1] / rho) if rho else (bw.b_l, bw.b_r)
    with stata_errors():
        r = estimate(data.left, data.right, data.c, h=h, b=b, p=p, q=q, deriv=deriv,
                     kernel=data.kernel, vce=data.vce, scalepar=float(args.opt("scalepar", 1)))
    level = float(args.opt("level", 95.0))
    z = float(stats.norm.isf((1 - level / 100) / 2))
    kind = ("Fuzzy" if data.fuzzy else "Sharp") + (" kink" if deriv == 1 else "")
    title = f"{'Covariate-adjusted ' + kind.lower() if data.covs else kind} RD estimates " \
            "using local polynomial regression."
    rows = [("Number of obs", f"{len(data.left.x):9.0f}", f"{len(data.right.x):9.0f}"),
            ("Eff. Number of obs", f"{r.n_h[0]:9.0f}", f"{r.n_h[1]:9.0f}"),
            ("Order est. (p)", f"{p:9.0f}", f"{p:9.0f}"),
            ("Order bias (q)", f"{q:9.0f}", f"{q:9.0f}"),
            ("BW est. (h)", f"{h[0]:9.3f}", f"{h[1]:9.3f}"),
            ("BW bias (b)", f"{b[0]:9.3f}", f"{b[1]:9.3f}"),
            ("rho (h/b)", f"{h[0] / b[0]:9.3f}", f"{h[1] / b[1]:9.3f}")]
    rows += _sample_rows(data)
    lines = ["", title, ""]
    lines += _summary(data, "Number of obs = ", rows, [
        f"BW type       = {method:>10}", f"Kernel        = {_kernel_name(data.kernel):>10}",
        f"VCE method    = {data.vce_type:>10}"])
    lines.append("")
    if data.fuzzy:
        assert r.tau_t_cl is not None
        assert r.se_t_cl is not None
        assert r.tau_t_bc is not None
        assert r.se_t_rb is not None
        lines.append(f"First-stage estimates. Outcome: {data.fuzzy}. Running variable: "
                     f"{data.x}.")
        lines += _table([("Conventional", r.tau_t_cl, r.se_t_cl, r.tau_t_cl),
                         *([("Bias-corrected", r.tau_t_bc, r.se_t_cl, r.tau_t_bc)]
                           if args.opt("all") else []),
                         ("Robust", r.tau_t_bc, r.se_t_rb, None if not args.opt("all")
                          else r.tau_t_bc)], z, level)
        lines.append("")
        lines.append(f"Treatment effect estimates. Outcome: {data.y}. Running variable: "
                     f"{data.x}. Treatment Status: {data.fuzzy}.")
    else:
        lines.append(f"Outcome: {data.y}. Running variable: {data.x}.")
    lines += _table([("Conventional", r.tau_cl, r.se_cl, r.tau_cl),
                     *([("Bias-corrected", r.tau_bc, r.se_cl, r.tau_bc)]
                       if args.opt("all") else []),
                     ("Robust", r.tau_bc, r.se_rb, r.tau_bc if args.opt("all") else None)],
                    z, level)
    if data.covs:
        lines.append(f"Covariate-adjusted estimates. Additional covariates included: "
                     f"{len(data.covs)}")
    if data.clustvar:
        lines.append(f"Std. Err. adjusted for clusters in {data.clustvar}")
    if data.masspoints == "adjust" and data.mass_found:
        lines.append("Estimates adjusted for mass points in the running variable.")
    session.log.lines(lines)
    _post(session, data, r, h, b, p, q, level, z, method, args)


def _table(rows: list[tuple[str, float, float, float | None]], z: float,
           level: float) -> list[str]:
    out = ["-" * 80,
           cols((1, f"{'Method':>18}"), (19, " | "), (24, "Coef."), (33, "Std. Err."),
                (46, "z"), (52, "P>|z|"), (61, f"[{level:g}% Conf. Interval]")),
           "-" * 19 + "+" + "-" * 60]
    for label, tau, se, shown in rows:
        stat = tau / se
        coef = format_number(shown, "%7.0g") if shown is not None else "    -"
        err = format_number(se, "%7.0g") if shown is not None else "    -"
        out.append(cols((1, f"{label:>18}"), (19, " | "), (22, coef), (33, err),
                        (43, f"{stat:5.4f}"), (52, f"{2 * stats.norm.sf(abs(stat)):5.3f}"),
                        (60, format_number(tau - z * se, "%8.0g")),
                        (73, format_number(tau + z * se, "%8.0g"))))
    out.append("-" * 80)
    return out


def _post(session: Session, data: RdData, r: object, h: tuple[float, float],
          b: tuple[float, float], p: int, q: int, level: float, z: float, method: str,
          args: Args) -> None:
    from libs.stata_stats.rd_estimate import RdResult
    assert isinstance(r, RdResult)
    names = ["Conventional", "Bias-corrected", "Robust"] if args.opt("all") else \
        ["RD_Estimate"]
    b_vec = [r.tau_cl, r.tau_bc, r.tau_bc] if args.opt("all") else [r.tau_cl]
    v_diag = [r.se_cl**2, r.se_cl**2, r.se_rb**2] if args.opt("all") else [r.se_cl**2]
    scalars = {"N": data.n, "N_l": len(data.left.x), "N_r": len(data.right.x),
               "N_h_l": r.n_h[0], "N_h_r": r.n_h[1], "N_b_l": r.n_b[0], "N_b_r": r.n_b[1],
               "c": data.c, "p": p, "q": q, "h_l": h[0], "h_r": h[1], "b_l": b[0],
               "b_r": b[1], "level": level, "tau_cl": r.tau_cl, "tau_bc": r.tau_bc,
               "tau_cl_l": r.tau_cl_l, "tau_cl_r": r.tau_cl_r, "tau_bc_l": r.tau_bc_l,
               "tau_bc_r": r.tau_bc_r, "bias_l": r.bias_l, "bias_r": r.bias_r,
               "se_tau_cl": r.se_cl, "se_tau_rb": r.se_rb,
               "ci_l_cl": r.tau_cl - z * r.se_cl, "ci_r_cl": r.tau_cl + z * r.se_cl,
               "pv_cl": 2 * stats.norm.sf(abs(r.tau_cl / r.se_cl)),
               "ci_l_rb": r.tau_bc - z * r.se_rb, "ci_r_rb": r.tau_bc + z * r.se_rb,
               "pv_rb": 2 * stats.norm.sf(abs(r.tau_bc / r.se_rb))}
    if data.fuzzy and r.tau_t_cl is not None:
        scalars.update({"tau_T_cl": r.tau_t_cl, "tau_T_bc": r.tau_t_bc or np.nan,
                        "se_tau_T_cl": r.se_t_cl or np.nan, "se_tau_T_rb": r.se_t_rb or np.nan})
    lo, hi = round(r.tau_bc - z * r.se_rb, 3), round(r.tau_bc + z * r.se_rb, 3)
    macros = {"ci_rb": f"[{lo:g} ; {hi:g}]", "kernel": _kernel_name(data.kernel),
              "bwselect": method, "vce_select": data.vce_type, "outcomevar": data.y,
              "runningvar": data.x, "depvar": data.y, "cmd": "rdrobust",
              "cmdline": f"rdrobust {args.raw}".strip()}
    if data.covs:
        macros["covs"] = " ".join(data.covs)
    if data.clustvar:
        macros["clustvar"] = data.clustvar
    k = p + 1
    terms = [f"c{j}" for j in range(1, k + 1)]
    matrices = {"b": Matrix(np.array([b_vec]), ["y1"], names),
                "V": Matrix(np.diag(v_diag), names, names),
                "beta_p_l": Matrix(r.beta_p_l[None, :], ["r1"], terms),
                "beta_p_r": Matrix(r.beta_p_r[None, :], ["r1"], terms),
                "V_cl_l": Matrix(r.V_cl_l, terms, terms), "V_cl_r": Matrix(r.V_cl_r, terms, terms),
                "V_rb_l": Matrix(r.V_rb_l[:k, :k], terms, terms),
                "V_rb_r": Matrix(r.V_rb_r[:k, :k], terms, terms)}
    session.post_e(Results(scalars={k2: float(v) for k2, v in scalars.items()}, macros=macros,
                           matrices=matrices, sample=data.sample))


@command("rdbwselect", syntax=_COMMON + "]", byable="recall")
def rdbwselect(session: Session, args: Args) -> None:
    """``rdbwselect depvar runvar [if] [in] [, c() fuzzy() deriv() p() q() covs() kernel()
    bwselect() vce() all ...]``: the bandwidths (``all`` lists every selector)."""
    p, q, deriv = _orders(args)
    data = prepare(session, args)
    method = _method(args)
    methods = list(_METHODS) if args.opt("all") else [method]
    found = {m: bandwidths(data, args, m, p, q) for m in methods}
    kind = ("fuzzy" if data.fuzzy else "sharp") + (" kink" if deriv == 1 else "")
    cov = "covariate-adjusted " if data.covs else ""
    lines = ["", f"Bandwidth estimators for {cov}{kind} RD local polynomial regression.", ""]
    rows = [("Number of obs", f"{len(data.left.x):9.0f}", f"{len(data.right.x):9.0f}"),
            (f"Min of {data.x}", f"{data.left.x.min():9.3f}", f"{data.right.x.min():9.3f}"),
            (f"Max of {data.x}", f"{data.left.x.max():9.3f}", f"{data.right.x.max():9.3f}"),
            ("Order est. (p)", f"{p:9.0f}", f"{p:9.0f}"),
            ("Order bias (q)", f"{q:9.0f}", f"{q:9.0f}")]
    rows += _sample_rows(data)
    lines += _summary(data, "Number of obs = ", rows, [
        f"Kernel        = {_kernel_name(data.kernel):>10}",
        f"VCE method    = {data.vce_type:>10}"])
    lines += ["", f"Outcome: {data.y}. Running variable: {data.x}.",
              "-" * 19 + "-" + "-" * 30 + "-" + "-" * 29,
              cols((19, " | "), (30, "BW est. (h)"), (50, " | "), (60, "BW bias (b)")),
              cols((1, f"{'Method':>18}"), (19, " | "), (22, "Left of c"), (40, "Right of c"),
                   (50, " | "), (53, "Left of c"), (70, "Right of c")),
              "-" * 19 + "+" + "-" * 30 + "+" + "-" * 29]
    scalars: dict[str, float] = {"N_l": len(data.left.x), "N_r": len(data.right.x),
                                 "c": data.c, "p": p, "q": q}
    for m, bw in found.items():
        if m == "cerrd" and args.opt("all"):
            lines.append("-" * 19 + "+" + "-" * 30 + "+" + "-" * 29)
        lines.append(cols((1, f"{m:>18}"), (19, " | "), (22, f"{bw.h_l:9.3f}"),
                          (41, f"{bw.h_r:9.3f}"), (50, " | "), (51, f"{bw.b_l:9.3f}"),
                          (71, f"{bw.b_r:9.3f}")))
        if bw.h_l == bw.h_r and bw.b_l == bw.b_r:
            scalars.update({f"h_{m}": bw.h_l, f"b_{m}": bw.b_l})
        else:
            scalars.update({f"h_{m}_l": bw.h_l, f"h_{m}_r": bw.h_r, f"b_{m}_l": bw.b_l,
                            f"b_{m}_r": bw.b_r})
    lines.append("-" * 19 + "-" + "-" * 30 + "-" + "-" * 29)
    session.log.lines(lines)
    macros = {"kernel": _kernel_name(data.kernel), "bwselect": method,
              "vce_select": data.vce_type, "outcomevar": data.y, "runningvar": data.x,
              "depvar": data.y, "cmd": "rdbwselect"}
    if data.covs:
        macros["covs"] = " ".join(data.covs)
    if data.clustvar:
        macros["clustvar"] = data.clustvar
    session.post_e(Results(scalars={k: float(v) for k, v in scalars.items()}, macros=macros,
                           sample=data.sample))
