"""Data-operation analytics: every formula the lectures teach, tested."""

from cbec.analytics import plots
from cbec.analytics.abtest import ProportionTest, sample_size_per_arm, two_proportion_test
from cbec.analytics.clv import (PUBLISHED_CDNOW_ESTIMATES, bgnbd_log_likelihood, compare_with_published,
                                customer_lifetime_value, fit_bgnbd, fit_gamma_gamma, rfm_summary)
from cbec.analytics.cohorts import cohort_retention, cohort_sizes
from cbec.analytics.elasticity import Elasticity, demand_experiment, price_elasticity
from cbec.analytics.funnel import funnel_table, largest_drop
from cbec.analytics.inventory import daily_demand, eoq, reorder_point, safety_stock, seasonal_indices
from cbec.analytics.kpis import kpi_summary, kpis_by
from cbec.analytics.rfm import rfm_table, segment_summary

__all__ = [
    "PUBLISHED_CDNOW_ESTIMATES", "Elasticity", "plots", "ProportionTest", "bgnbd_log_likelihood", "cohort_retention",
    "cohort_sizes", "compare_with_published", "customer_lifetime_value", "daily_demand", "demand_experiment",
    "eoq", "fit_bgnbd", "fit_gamma_gamma", "funnel_table", "kpi_summary", "kpis_by", "largest_drop",
    "price_elasticity", "reorder_point", "rfm_summary", "rfm_table", "safety_stock", "sample_size_per_arm",
    "seasonal_indices", "segment_summary", "two_proportion_test",
]
