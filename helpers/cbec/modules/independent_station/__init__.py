"""Independent Station: a brand's own online store (Shopify style), where every visitor is
paid for and each channel must earn its cost.

The tables and their columns are written once, in :mod:`.schemas`; the simulator, the
analytics and the assignment follow them.
"""
