"""Platform Operation: running a store on an Amazon-style marketplace, with eBay and
Alibaba.com B2B alongside.

Submodules, one job each:

- :mod:`~cbec.modules.platform_operation.fees` -- fee schedules as versioned YAML data
  (``fee_schedules/``): load, validate, look up.
- :mod:`~cbec.modules.platform_operation.economics` -- unit economics: referral and
  fulfilment fees, dimensional weight, size tiers, storage, landed cost, contribution,
  break-even price and ACoS, the volume a price cut needs.
- :mod:`~cbec.modules.platform_operation.advertising` -- sponsored-products metrics,
  harvesting and negating search terms, judging a bid change with uncertainty.
- :mod:`~cbec.modules.platform_operation.account_health` -- order defect, cancellation,
  late-shipment and valid-tracking rates against their targets; what to fix first.
- :mod:`~cbec.modules.platform_operation.b2b` -- the Alibaba.com-style inquiry funnel and
  how response time relates to conversion.
- :mod:`~cbec.modules.platform_operation.simulator` -- a seeded seller account with known
  truth (``simulate_account``).
- :mod:`~cbec.modules.platform_operation.pricing` -- pricing and listings on real data
  (OpenIntro ``mariokart`` and ``textbooks``), reproducing the published fits.
- :mod:`~cbec.modules.platform_operation.datasets` -- its entries in the dataset catalogue;
  ``exercises`` and ``plots`` -- the lectures' exercises and charts.
"""

from cbec.modules.platform_operation.fees import FeeSchedule, FeeScheduleError, load_schedule, schedules
from cbec.modules.platform_operation.simulator import AccountConfig, AccountData, simulate_account

__all__ = ["AccountConfig", "AccountData", "FeeSchedule", "FeeScheduleError", "load_schedule", "schedules",
           "simulate_account"]
