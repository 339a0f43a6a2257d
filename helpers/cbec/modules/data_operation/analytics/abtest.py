"""A/B tests of conversion rates: planning the sample size and testing the result."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

from cbec.data.columns import require_fraction


def sample_size_per_arm(p1: float, p2: float, alpha: float = 0.05, power: float = 0.8) -> int:
    r"""Sessions per arm to detect $p_1$ vs $p_2$ with a two-sided test:
    $n = (z_{1-\alpha/2} + z_{1-\beta})^2 [p_1(1-p_1) + p_2(1-p_2)] / (p_1 - p_2)^2$, rounded up."""
    for value, name in ((p1, "p1"), (p2, "p2"), (alpha, "alpha"), (power, "power")):
        require_fraction(value, name)
    if p1 == p2:
        raise ValueError("p1 and p2 are equal: there is no difference to detect.")
    z = norm.ppf(1 - alpha / 2) + norm.ppf(power)
    return int(math.ceil(z**2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p1 - p2) ** 2))


@dataclass(frozen=True)
class ProportionTest:
    rate_a: float
    rate_b: float
    difference: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float


def two_proportion_test(conversions_a: int, n_a: int, conversions_b: int, n_b: int,
                        alpha: float = 0.05) -> ProportionTest:
    """Two-proportion z-test (pooled) and a Wald interval for the difference b - a."""
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    if min(n_a, n_b) <= 0 or not (0 <= conversions_a <= n_a and 0 <= conversions_b <= n_b):
        raise ValueError("Each arm needs n > 0 and 0 <= conversions <= n.")
    z, p = proportions_ztest([conversions_b, conversions_a], [n_b, n_a])
    low, high = confint_proportions_2indep(conversions_b, n_b, conversions_a, n_a, method="wald", alpha=alpha)
    ra, rb = conversions_a / n_a, conversions_b / n_b
    return ProportionTest(ra, rb, rb - ra, float(z), float(p), float(low), float(high))
