"""Generated clinical samples: survival with censoring, screening, agreement, a cutoff."""

from __future__ import annotations

import numpy as np
import pandas as pd


def survival() -> pd.DataFrame:
    """Survival sample with censoring: 300 patients followed up to 36 months.

    ``treat`` ~ Bernoulli(0.5), ``age`` ~ N(62, 9²) rounded. Event times are Weibull with
    shape 1.3 and scale 30·exp(−(−0.5·treat + 0.03·(age − 62))/1.3) months (proportional
    hazards: treatment hazard ratio exp(−0.5) ≈ 0.61). Censoring: drop-out times ~
    Exponential(mean 60) and administrative end at a uniform 12–36 months of follow-up.
    ``time`` = the earlier of event and censoring (0.1-month precision, at least 0.1),
    ``died`` = 1 when the event was observed.
    """
    rng = np.random.default_rng(1)
    n = 300
    treat = rng.integers(0, 2, n)
    age = np.round(rng.normal(62, 9, n))
    scale = 30 * np.exp(-(-0.5 * treat + 0.03 * (age - 62)) / 1.3)
    event_time = scale * rng.weibull(1.3, n)
    censor = np.minimum(rng.exponential(60, n), rng.uniform(12, 36, n))
    time = np.maximum(np.round(np.minimum(event_time, censor), 1), 0.1)
    return pd.DataFrame(
        {
            "patient": np.arange(1, n + 1),
            "treat": treat,
            "age": age.astype(int),
            "time": time,
            "died": (event_time <= censor).astype(int),
        }
    )


def screening() -> pd.DataFrame:
    """Diagnostic accuracy sample: 400 patients, a gold standard and a biomarker.

    ``disease`` ~ Bernoulli(0.3); ``marker`` ~ N(1.4, 1) in the diseased and N(0, 1)
    otherwise (2 decimals; true AUC = Φ(1.4/√2) ≈ 0.84); the screening test is positive when
    marker > 0.8 (``test_pos``); ``age`` ~ U{30..79}.
    """
    rng = np.random.default_rng(400)
    n = 400
    disease = (rng.uniform(size=n) < 0.3).astype(int)
    marker = np.round(rng.normal(1.4 * disease, 1.0), 2)
    return pd.DataFrame(
        {
            "patient": np.arange(1, n + 1),
            "age": rng.integers(30, 80, n),
            "disease": disease,
            "marker": marker,
            "test_pos": (marker > 0.8).astype(int),
        }
    )


def agreement() -> pd.DataFrame:
    """Method comparison and inter-rater sample: 120 subjects measured twice, rated twice.

    ``method_a`` ~ N(100, 15²); ``method_b = method_a + 2 + N(0, 5²)`` (bias 2, limits of
    agreement ≈ 2 ± 9.8), both 1 decimal. Two raters grade severity 1–3: a latent
    severity s ~ N(0, 1) cut at ±0.5, each rater reading s + N(0, 0.5²).
    """
    rng = np.random.default_rng(120)
    n = 120
    method_a = rng.normal(100, 15, n)
    method_b = method_a + 2 + rng.normal(0, 5, n)
    severity = rng.normal(0, 1, n)

    def grade() -> np.ndarray:
        return np.digitize(severity + rng.normal(0, 0.5, n), [-0.5, 0.5]) + 1

    return pd.DataFrame(
        {
            "subject": np.arange(1, n + 1),
            "method_a": np.round(method_a, 1),
            "method_b": np.round(method_b, 1),
            "rater1": grade(),
            "rater2": grade(),
        }
    )


def scholarship() -> pd.DataFrame:
    """Regression-discontinuity sample: 1,000 students around an exam cutoff.

    ``score`` (exam score minus the cutoff) ~ U(−50, 50), 1 decimal; ``eligible`` =
    score ≥ 0. Take-up (``scholarship``) has probability 0.85 when eligible and 0.10
    otherwise (a fuzzy design). ``gpa = 2.8 + 0.01·score + 0.00005·score² + 0.25·scholarship
    + N(0, 0.35²)``, 2 decimals: the effect of the scholarship is 0.25 (the sharp jump at the
    cutoff is 0.25·0.75).
    """
    rng = np.random.default_rng(1000)
    n = 1000
    score = np.round(rng.uniform(-50, 50, n), 1)
    eligible = (score >= 0).astype(int)
    takeup = (rng.uniform(size=n) < np.where(eligible == 1, 0.85, 0.10)).astype(int)
    gpa = 2.8 + 0.01 * score + 0.00005 * score**2 + 0.25 * takeup + rng.normal(0, 0.35, n)
    return pd.DataFrame(
        {
            "student": np.arange(1, n + 1),
            "score": score,
            "eligible": eligible,
            "scholarship": takeup,
            "gpa": np.round(gpa, 2),
        }
    )
