"""Independent Station: a brand's own online store (Shopify style), where every visitor is
paid for and each channel must earn its cost.

The tables and their columns are written once, in :mod:`.schemas`; the simulator, the
analytics and the assignment follow them. Submodules, one job each:

- :mod:`.simulator` -- a seeded store with known truth (``simulate_store``): each channel's
  exact incremental conversions, the geo test's true lift.
- :mod:`.utm` -- UTM parameters parsed and cleaned, the channel rules as data, conversion,
  revenue and ROAS by channel.
- :mod:`.checkout` -- the checkout funnel, cart and checkout abandonment, published benchmarks.
- :mod:`.economics` -- contribution per order, CAC on new customers, margin LTV (BG/NBD and
  Gamma-Gamma of :mod:`cbec.customer_value`), LTV:CAC, payback, incremental CAC.
- :mod:`.journeys` -- each visitor's touches up to the first order.
- :mod:`.attribution`, :mod:`.markov`, :mod:`.shapley` -- rule-based models, Markov removal
  effects and Shapley values on one compact journey form; :mod:`.crosscheck` runs the
  published ChannelAttribution package on the same paths, :mod:`.example_paths` fetches its
  example data.
- :mod:`.lift` -- the geo holdout test: lift, incremental conversions, iCPA and iROAS.
- :mod:`.studies` -- the same analyses over many seeded stores (rankings, coverage).
- :mod:`.plots`, :mod:`.exercises`, :mod:`.datasets`, :mod:`.variants`, :mod:`.assignment`,
  :mod:`.near_misses` -- charts, lecture exercises, the catalogue entry, each student's store,
  the assignment's declaration and its plausible wrong answers.
"""
