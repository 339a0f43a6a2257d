"""Customer lifetime value on CDNOW: the BG/NBD and Gamma-Gamma models of :mod:`cbec.customer_value`
against the published estimates.

Set-up of Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing
Science 24(2):275-284: the CDNOW sample, a 39-week calibration period ending 1997-09-30,
time measured in weeks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln

from cbec import customer_value
from cbec.customer_value import customer_lifetime_value, fit_bgnbd, fit_gamma_gamma

#: Published reference values (not results): Fader, Hardie & Lee (2005) and Fader & Hardie's
#: Gamma-Gamma note, both on the 2,357-customer CDNOW sample.
PUBLISHED_CDNOW_ESTIMATES = {
    "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    "bgnbd_log_likelihood": -9582.4,
    "expected_purchases_39w_x2_tx30.43_T38.86": 1.226,
    "gamma_gamma": {"p": 6.25, "q": 3.74, "v": 15.44},
}


def rfm_summary(transactions: pd.DataFrame, calibration_end: str = "1997-09-30",
                time_unit_days: int = 7) -> pd.DataFrame:
    """frequency, recency, T (in weeks) and monetary_value per customer in the calibration period
    (the paper's: 39 weeks ending 1997-09-30)."""
    return customer_value.rfm_summary(transactions, calibration_end, time_unit_days=time_unit_days)


def bgnbd_log_likelihood(params: dict, summary: pd.DataFrame) -> float:
    r"""The paper's full BG/NBD log-likelihood (its equation 6), summed over customers.

    $L = \frac{B(a, b+x)}{B(a,b)} \frac{\Gamma(r+x)\alpha^r}{\Gamma(r)(\alpha+T)^{r+x}}
    + \delta_{x>0} \frac{B(a+1, b+x-1)}{B(a,b)} \frac{\Gamma(r+x)\alpha^r}{\Gamma(r)(\alpha+t_x)^{r+x}}$
    """
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x, tx, T = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    term1 = betaln(a, b + x) - betaln(a, b) + common - (r + x) * np.log(alpha + T)
    with np.errstate(invalid="ignore", divide="ignore"):
        term2 = betaln(a + 1, b + x - 1) - betaln(a, b) + common - (r + x) * np.log(alpha + tx)
    term2 = np.where(x > 0, term2, -np.inf)
    return float(np.logaddexp(term1, term2).sum())


def compare_with_published(bgf, ggf=None) -> pd.DataFrame:
    """Estimates next to the published values."""
    rows = [("BG/NBD", k, float(bgf.params_[k]), v) for k, v in PUBLISHED_CDNOW_ESTIMATES["bgnbd"].items()]
    if ggf is not None:
        rows += [("Gamma-Gamma", k, float(ggf.params_[k]), v)
                 for k, v in PUBLISHED_CDNOW_ESTIMATES["gamma_gamma"].items()]
    table = pd.DataFrame(rows, columns=["model", "parameter", "estimate", "published"])
    table["abs_diff"] = (table["estimate"] - table["published"]).abs()
    return table


__all__ = ["PUBLISHED_CDNOW_ESTIMATES", "bgnbd_log_likelihood", "compare_with_published", "customer_lifetime_value",
           "fit_bgnbd", "fit_gamma_gamma", "rfm_summary"]
