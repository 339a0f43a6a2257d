"""Data-operation analytics: every formula the lectures teach, tested."""

from cbec.modules.data_operation.analytics import plots
from cbec.modules.data_operation.analytics.abtest import ProportionTest, sample_size_per_arm, two_proportion_test
from cbec.modules.data_operation.analytics.clv import (PUBLISHED_CDNOW_ESTIMATES, bgnbd_log_likelihood, compare_with_published,
                                customer_lifetime_value, fit_bgnbd, fit_gamma_gamma, rfm_summary)
from cbec.modules.data_operation.analytics.cohorts import cohort_retention, cohort_sizes
from cbec.modules.data_operation.analytics.elasticity import Elasticity, demand_experiment, price_elasticity
from cbec.modules.data_operation.analytics.funnel import funnel_table, largest_drop
from cbec.modules.data_operation.analytics.inventory import daily_demand, eoq, reorder_point, safety_stock, seasonal_indices
from cbec.modules.data_operation.analytics.kpis import kpi_summary, kpis_by
from cbec.modules.data_operation.analytics.rfm import rfm_table, segment_summary

__all__ = [
    "PUBLISHED_CDNOW_ESTIMATES", "Elasticity", "plots", "ProportionTest", "bgnbd_log_likelihood", "cohort_retention",
    "cohort_sizes", "compare_with_published", "customer_lifetime_value", "daily_demand", "demand_experiment",
    "eoq", "fit_bgnbd", "fit_gamma_gamma", "funnel_table", "kpi_summary", "kpis_by", "largest_drop",
    "price_elasticity", "reorder_point", "rfm_summary", "rfm_table", "safety_stock", "sample_size_per_arm",
    "seasonal_indices", "segment_summary", "two_proportion_test",
]
