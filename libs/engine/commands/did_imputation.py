"""``did_imputation`` (SSC, Borusyak): the imputation estimator for staggered adoption.

``did_imputation Y i t Ei [if] [in] [aw iw] [, horizons(numlist) allhorizons autosample
minn(#) pretrends(#) cluster(var) avgeffectsby(varlist) leaveout shift(#) delta(#)
saveestimates(newvar) nose]`` with the default two-way model ``fe(i t)``; ``e(b)`` holds
``tau`` (or ``tau0 tau1 …``) then ``pre1 …``, ``e(Nt)`` the treated counts, ``e(Nc)`` the
untreated ones, ``e(pre_F)``/``e(pre_p)``/``e(pre_df)`` the joint pre-trend test.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from libs.engine.dataset import Dataset
from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.post import set_table
from libs.engine.estimation.request import stata_errors
from libs.engine.evaluator import Evaluator
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.did_imputation import Imputation, estimate, horizons_in, panel
from libs.stata_stats.estimation import Estimation

_REFUSED = ("wtr", "sum", "hbalance", "hetby", "project", "controls", "unitcontrols",
            "timecontrols", "loadweights", "saveweights", "saveresid")


@command("did_imputation", syntax="varlist(min=4 max=4) [if] [in] [aweight iweight] [, "
         "fe(string) Controls(string) UNITControls(string) TIMEControls(string) "
         "wtr(string) sum Horizons(numlist) ALLHorizons HBALance HETby(string) "
         "PROject(string) minn(integer 30) AUTOSample shift(integer 0) PREtrends(integer 0) "
         "CLUSter(varname) AVGEFFectsby(varlist) leaveout nose SAVEestimates(name) "
         "SAVEWeights LOADWeights(string) SAVEResid(string) delta(integer 0) "
         "tol(real 0.000001) maxit(integer 100) alpha(real 0.05) verbose]")
def did_imputation(session: Session, args: Args) -> None:
    """Borusyak, Jaravel and Spiess's imputation estimator."""
    for name in _REFUSED:
        if args.opt(name):
            raise StataError(198, f"did_imputation: option {name}() is not provided by the "
                                  "embedded engine")
    y_name, i_name, t_name, e_name = args.varlist
    if args.opt("fe") and args.opt("fe").split() != [i_name, t_name]:
        raise StataError(198, "did_imputation: only the default fe(i t) is provided by the "
                              "embedded engine")
    pretrends = int(args.opt("pretrends", 0))
    if args.weight and args.weight[0] == "iweight" and pretrends:
        raise StataError(198, "did_imputation: pretrends() with iweights is not provided by "
                              "the embedded engine (use aweights)")
    if args.opt("horizons") and args.opt("allhorizons"):
        raise StataError(184, "Options horizons and allhorizons cannot be combined")
    ds = session.data
    cluster = args.opt("cluster") or i_name
    by_vars = args.opt("avgeffectsby") or [e_name, t_name]
    touse = args.touse(session)
    weights = np.ones(ds.n)
    if args.weight:
        weights = np.asarray(Evaluator(session, None).numeric(args.weight[1]), dtype=float)
        weights[weights == 0] = np.nan
        touse &= np.isfinite(weights)
    for name in (y_name, t_name):
        touse &= np.isfinite(ds.numeric(name))
    for name in (i_name, cluster):
        touse &= ~_missing(ds, name)
    rows = np.flatnonzero(touse)
    delta = float(args.opt("delta", 0) or 0)
    if delta == 0:
        ts = session.tsset
        delta = ts.delta if ts is not None and ts.timevar == t_name else 1.0
    if delta <= 0:
        raise StataError(198, "A problem has occured with determining delta. Please specify "
                              "it explicitly.")
    time = ds.numeric(t_name)[rows]
    k = (time - ds.numeric(e_name)[rows] + float(args.opt("shift", 0))) / delta
    if np.any(np.isfinite(k) & (np.mod(k, 1) != 0)):
        raise StataError(198, "There are non-integer values of the number of periods since "
                              "treatment. Please check the time dimension of your data.")
    horizons = None
    if args.opt("allhorizons"):
        horizons = horizons_in(k)
    elif args.opt("horizons"):
        horizons = [int(h) for h in args.opt("horizons")]
        if min(horizons) < 0:
            raise StataError(125, "horizons(): outside of allowed range")
    groups = [_codes(ds, v)[rows] for v in by_vars]
    with stata_errors():
        data = panel(ds.numeric(y_name)[rows], _codes(ds, i_name)[rows], time, k,
                     weights[rows], _codes(ds, cluster)[rows], groups)
        res = estimate(data, horizons, autosample=bool(args.opt("autosample")),
                       minn=float(args.opt("minn", 30)), leaveout=bool(args.opt("leaveout")),
                       pretrends=pretrends, se=not args.opt("nose"))
    _post(session, args, res, rows, cluster)


def _missing(ds: Dataset, name: str) -> NDArray[np.bool_]:
    if ds.var(name).is_string:
        return np.asarray(ds.strings(name) == "")
    return np.asarray(~np.isfinite(ds.numeric(name)))


def _codes(ds: Dataset, name: str) -> NDArray[np.generic]:
    """A variable's values as something np.unique can order (strings or numbers)."""
    if ds.var(name).is_string:
        return np.asarray(ds.strings(name).astype(str))
    values = ds.numeric(name)
    return np.where(np.isfinite(values), values, np.inf)


def _post(session: Session, args: Args, res: Imputation, rows: NDArray[np.intp],
          cluster: str) -> None:
    ds = session.data
    y_name = args.varlist[0]
    names, b, V = res.names, res.b, res.V
    n_tau = len(res.n_treated)
    scalars = {"N": float(res.sample.sum()), "Nc": float(res.n_control)}
    if res.pre_df is not None and not args.opt("nose"):
        pre = slice(n_tau, len(names))
        bp, Vp = b[pre], V[pre, pre]
        q = len(bp)
        F = float(bp @ np.linalg.pinv(Vp) @ bp) / q
        scalars.update({"pre_F": F, "pre_p": float(stats.f.sf(F, q, res.pre_df)),
                        "pre_df": res.pre_df})
    sample = np.zeros(ds.n, dtype=np.bool_)
    sample[rows[res.sample]] = True
    macros = {"cmd": "did_imputation", "depvar": y_name, "droplist": " ".join(res.dropped),
              "autosample_drop": " ".join(res.autosample_drop),
              "autosample_trim": " ".join(res.autosample_trim),
              "cmdline": f"did_imputation {args.raw}".strip(), "clustvar": cluster}
    session.post_e(Results(scalars=scalars, macros=macros, sample=sample, matrices={
        "b": Matrix(b[None, :], ["y1"], names), "V": Matrix(V, names, names),
        "Nt": Matrix(res.n_treated[None, :], ["r1"], names[:n_tau])}))
    if args.opt("saveestimates"):
        values = np.full(ds.n, np.nan)
        values[rows] = res.effects
        ds.add(args.opt("saveestimates"), values, "double")
    for label, names_ in (("because FE could not be imputed for any units",
                           res.autosample_drop),
                          ("from estimation because of insufficient effective sample size",
                           [n for n in res.dropped if n not in res.autosample_drop])):
        if names_:
            session.log.out(f"WARNING: suppressing the following coefficients {label}: "
                            f"{' '.join(names_)}.")
    if res.autosample_trim:
        session.log.out("Warning: part of the sample was dropped for the following "
                        "coefficients because FE could not be imputed: "
                        f"{' '.join(res.autosample_trim)}.")
    est = Estimation(cmd="did_imputation", depvar=y_name, names=tuple(names), b=b, V=V,
                     omitted=tuple(n in res.dropped for n in names), scalars={}, macros={},
                     df_r=None)
    level = 100 * (1 - float(args.opt("alpha", 0.05)))
    session.log.lines(["", f"{'':<48}Number of obs     = {int(scalars['N']):>10,}"])
    session.log.lines(output.coefficient_lines(session, est, level))
    set_table(session, est, level)
