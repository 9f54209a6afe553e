"""Generated daily stock returns: a daily time series and a firm-day panel for finance."""

from __future__ import annotations

import numpy as np
import pandas as pd


def daily_returns() -> pd.DataFrame:
    """20 firms over the 250 weekdays from 2 January 2023 (4,937 rows).

    Market return ``mkt`` ~ N(0.0004, 0.01²) per day. Firm i has beta_i ~ U(0.5, 1.6) and
    alpha_i ~ N(0, 0.0003²); ``ret = alpha_i + beta_i·mkt + 0.012·t₄/√2`` (Student t with 4
    degrees of freedom, scaled to sd 0.012: fat tails worth winsorising). Market value
    ``mktcap`` (USD million) starts at lognormal(ln 2000, 1) and compounds with the firm's
    returns. On one day per firm (``event`` = 1: an earnings announcement, between trading
    days 150 and 220) the return gets an extra 0.03·(+1 or −1) surprise. Returns are rounded
    to 6 decimals, ``date`` is an ISO date.
    """
    rng = np.random.default_rng(2023)
    firms, days = 20, pd.bdate_range("2023-01-02", periods=250)
    n = len(days)
    mkt = rng.normal(0.0004, 0.01, n)
    beta = rng.uniform(0.5, 1.6, firms)
    alpha = rng.normal(0, 0.0003, firms)
    noise = 0.012 * rng.standard_t(4, (firms, n)) / np.sqrt(2)
    ret = alpha[:, None] + beta[:, None] * mkt[None, :] + noise
    event_day = rng.integers(150, 221, firms)
    event = np.zeros((firms, n), dtype=int)
    event[np.arange(firms), event_day] = 1
    ret = ret + 0.03 * event * rng.choice([-1.0, 1.0], firms)[:, None]
    ret = np.round(ret, 6)
    start = rng.lognormal(np.log(2000), 1, firms)
    mktcap = np.round(start[:, None] * np.cumprod(1 + ret, axis=1), 1)
    frame = pd.DataFrame(
        {
            "firm": np.repeat(np.arange(1, firms + 1), n),
            "date": np.tile(days.strftime("%Y-%m-%d"), firms),
            "ret": ret.ravel(),
            "mkt": np.tile(np.round(mkt, 6), firms),
            "mktcap": mktcap.ravel(),
            "event": event.ravel(),
        }
    )
    day = np.tile(np.arange(n), firms)
    late_listing = (frame["firm"] == 20) & (day < 60)
    halted = (frame["firm"] == 7) & (day >= 100) & (day <= 102)
    missing = late_listing | halted
    return frame[~missing].reset_index(drop=True)
