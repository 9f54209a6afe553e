"""``power onemean|twomeans|twoproportions``: the power of a test at a sample size
(``n()``), or the sample size that reaches a power (``power()``, default 0.8); numbers from
:mod:`libs.stata_stats.power`, ``r()`` under Stata's names. Lists of values (tables), effect
sizes (both ``n()`` and ``power()``) and the other methods are refused with r(198)."""

from __future__ import annotations

from libs.engine.errors import StataError
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.request import stata_errors
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.stata_stats import power as pw

_SPEC = Spec("anything [, Alpha(real 0.05) Power(real -1) N(real -1) N1(real -1) N2(real -1) "
             "NRATio(real 1) SD(real 1) SD1(real -1) SD2(real -1) DIFF(real -1e300) ONESIDed "
             "KNOWNSD KNOWNSDS TEST(name) NOTItle]")
_METHODS = {"onemean": 4, "twomeans": 4, "twoproportions": 7}


@command("power", syntax=None, rclass=True)
def power(session: Session, args: Args) -> None:
    """``power method values [, n() power() alpha() ...]``."""
    word, _, rest = args.raw.strip().partition(" ")
    method = next((m for m, k in _METHODS.items() if len(word) >= k and m.startswith(word)),
                  None)
    if method is None:
        raise StataError(198, f"power {word}: method not provided by the embedded engine "
                              "(onemean, twomeans, twoproportions are)")
    opts = _SPEC.parse(rest, session)
    try:
        values = [float(v) for v in opts.anything.split()]
    except ValueError:
        raise StataError(198, "power: one number per parameter expected (lists of values "
                              "are not provided)") from None
    alpha = float(opts.opt("alpha", 0.05))
    if not 0 < alpha < 1:
        raise StataError(198, "alpha() must be between 0 and 1")
    target, n = float(opts.opt("power", -1)), float(opts.opt("n", -1))
    if target > 0 and (n > 0 or opts.opt("n1", -1) > 0):
        raise StataError(198, "power: effect-size determination is not provided; give n() "
                              "or power(), not both")
    if opts.opt("test") and opts.opt("test") != "chi2":
        raise StataError(198, f"test({opts.opt('test')}) is not provided (chi2 is)")
    diff = float(opts.opt("diff", -1e300))
    if len(values) == 1 and diff > -1e300:
        values.append(values[0] + diff)
    if len(values) != 2:
        raise StataError(198, "power: the null and alternative values are required")
    with stata_errors():
        res = _compute(method, values, opts, alpha, target if target > 0 else 0.8, n)
    _show(session, method, res, opts, compute_n=n <= 0 and opts.opt("n1", -1) <= 0)
    session.post_r(Results(scalars=res, macros={"method": method, "type": "power" if n > 0 or
                           opts.opt("n1", -1) > 0 else "n"}))


def _compute(method: str, values: list[float], opts: Args, alpha: float, target: float,
             n: float) -> dict[str, float]:
    a, b = values
    onesided = bool(opts.opt("onesided"))
    out: dict[str, float] = {"alpha": alpha, "onesided": float(onesided)}
    if method == "onemean":
        sd = float(opts.opt("sd", 1.0))
        known = bool(opts.opt("knownsd"))

        def power_one(size: float) -> float:
            return pw.onemean_power(size, a, b, sd, alpha, onesided=onesided, knownsd=known)

        size = n if n > 0 else float(pw.smallest_n(power_one, target, 2))
        out.update(N=size, power=power_one(size) if n > 0 else target, m0=a, ma=b, sd=sd,
                   diff=b - a, delta=(b - a) / sd)
        out["beta"] = 1 - out["power"]
        return out
    nratio = float(opts.opt("nratio", 1.0))
    n1, n2 = float(opts.opt("n1", -1)), float(opts.opt("n2", -1))
    sizes: tuple[float, float] | None
    if n1 > 0 and n2 > 0:
        sizes = (n1, n2)
    elif n1 > 0:
        sizes = (n1, n1 * nratio)
    elif n > 0:
        sizes = (n / (1 + nratio), n * nratio / (1 + nratio))
    else:
        sizes = None
    if method == "twomeans":
        sd = float(opts.opt("sd", 1.0))
        sd1 = float(opts.opt("sd1", -1)) if opts.opt("sd1", -1) > 0 else sd
        sd2 = float(opts.opt("sd2", -1)) if opts.opt("sd2", -1) > 0 else sd
        known = bool(opts.opt("knownsds"))

        def power_at(s1: float, s2: float) -> float:
            return pw.twomeans_power(s1, s2, a, b, sd1, sd2, alpha, onesided=onesided,
                                     knownsds=known)

        out.update(m1=a, m2=b, diff=b - a, delta=b - a)
        out.update({"sd": sd} if sd1 == sd2 else {"sd1": sd1, "sd2": sd2})
    else:
        if not (0 < a < 1 and 0 < b < 1):
            raise StataError(198, "proportions must be between 0 and 1")

        def power_at(s1: float, s2: float) -> float:
            return pw.twoproportions_power(s1, s2, a, b, alpha, onesided=onesided)

        out.update(p1=a, p2=b, diff=b - a, delta=b - a)
    achieved = None
    if sizes is None:  # the sample size reaching the target power (reported as r(power))
        first = pw.smallest_n(lambda k: power_at(*pw.group_sizes(k, nratio)), target, 2)
        g1, g2 = pw.group_sizes(first, nratio)
        sizes = (float(g1), float(g2))
        achieved = target
    out.update(N=sizes[0] + sizes[1], N1=sizes[0], N2=sizes[1], nratio=sizes[1] / sizes[0],
               power=achieved if achieved is not None else power_at(*sizes))
    out["beta"] = 1 - out["power"]
    return out


def _show(session: Session, method: str, res: dict[str, float], opts: Args, *,
          compute_n: bool) -> None:
    sided = "!="
    if opts.opt("onesided"):
        sided = ">" if res["diff"] > 0 else "<"
    what = {"onemean": "a one-sample mean test", "twomeans": "a two-sample means test",
            "twoproportions": "a two-sample proportions test"}[method]
    test = {"onemean": "z test" if opts.opt("knownsd") else "t test",
            "twomeans": "z test" if opts.opt("knownsds") else "t test assuming sd1 = sd2 = sd"
            if "sd" in res else "Satterthwaite's t test assuming unequal variances",
            "twoproportions": "Pearson's chi-squared test"}[method]
    hypothesis = {"onemean": f"H0: m = m0  versus  Ha: m {sided} m0",
                  "twomeans": f"H0: m2 = m1  versus  Ha: m2 {sided} m1",
                  "twoproportions": f"H0: p2 = p1  versus  Ha: p2 {sided} p1"}[method]
    title = "Estimated sample size" if compute_n else "Estimated power"
    lines = ["", f"{title}{'s' if compute_n and method != 'onemean' else ''} for {what}",
             test, hypothesis, "", "Study parameters:", ""]
    shown = ["alpha"] + ([] if not compute_n else ["power"]) + [
        k for k in ("delta", "m0", "ma", "m1", "m2", "p1", "p2", "sd", "sd1", "sd2")
        if k in res]
    if not compute_n:
        shown += ["N"] + (["N1", "N2", "nratio"] if method != "onemean" else [])
    lines += [f"{k:>13} = {numtext(res[k], '%9.4f')}" if k not in ("N", "N1", "N2")
              else f"{k:>13} = {int(res[k]):>9,}" for k in shown]
    lines += ["", "Estimated " + ("sample size" + ("s" if method != "onemean" else "")
                                   if compute_n else "power") + ":", ""]
    if compute_n:
        sizes = ["N"] + (["N per group" if res.get("nratio") == 1 else "N1", "N2"]
                         if method != "onemean" else [])
        for label in sizes:
            key = "N1" if label == "N per group" else label
            if label == "N2" and res.get("nratio") == 1:
                continue
            lines.append(f"{label:>13} = {int(res[key]):>9,}")
    else:
        lines.append(f"{'power':>13} = {numtext(res['power'], '%9.4f')}")
    session.log.lines(lines)
