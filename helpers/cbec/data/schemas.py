"""Documented schemas of every table, checked when a dataset is loaded."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from pandas.api import types as ptypes


class SchemaError(ValueError):
    """A table does not have the columns or types its schema promises."""


@dataclass(frozen=True)
class Column:
    kind: str  # "string", "integer", "float" or "datetime"
    description: str


_KIND_CHECKS = {
    "string": lambda s: ptypes.is_string_dtype(s) or ptypes.is_object_dtype(s),
    "integer": ptypes.is_integer_dtype,
    "float": lambda s: ptypes.is_float_dtype(s) or ptypes.is_integer_dtype(s),
    "datetime": ptypes.is_datetime64_any_dtype,
}


@dataclass(frozen=True)
class TableSchema:
    name: str
    description: str
    columns: dict[str, Column]

    def validate(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return ``frame`` if it fits the schema, else raise :class:`SchemaError` naming every problem."""
        if not isinstance(frame, pd.DataFrame):
            raise SchemaError(f"Table {self.name!r} must be a pandas DataFrame, got {type(frame).__name__}.")
        missing = [c for c in self.columns if c not in frame.columns]
        wrong = [f"{c} (expected {col.kind}, found {frame[c].dtype})"
                 for c, col in self.columns.items() if c in frame.columns and not _KIND_CHECKS[col.kind](frame[c])]
        if missing or wrong:
            parts = []
            if missing:
                parts.append(f"missing column(s): {', '.join(missing)}")
            if wrong:
                parts.append(f"wrong type: {'; '.join(wrong)}")
            raise SchemaError(
                f"Table {self.name!r} does not match its schema: {' | '.join(parts)}. "
                f"Columns found: {', '.join(map(str, frame.columns))}. "
                "Rename or convert the columns (see cbec.data.SCHEMAS) and load again.")
        return frame

    def describe(self) -> pd.DataFrame:
        return pd.DataFrame([(c, col.kind, col.description) for c, col in self.columns.items()],
                            columns=["column", "kind", "description"])


def _schema(name, description, **columns):
    return TableSchema(name, description, {c: Column(*spec) for c, spec in columns.items()})


SCHEMAS: dict[str, TableSchema] = {s.name: s for s in [
    _schema("products", "One row per product in the catalogue.",
            product_id=("string", "product key, P0001..."), category=("string", "product category"),
            unit_cost_usd=("float", "landed unit cost, USD"), list_price_usd=("float", "list price, USD"),
            weight_kg=("float", "shipping weight, kg")),
    _schema("customers", "One row per customer, at their first order.",
            customer_id=("string", "customer key"), market=("string", "market of the first order"),
            first_order_date=("datetime", "day of the first order"),
            acquisition_source=("string", "traffic source of the first order")),
    _schema("sessions", "Daily sessions and purchase funnel by market and traffic source.",
            date=("datetime", "day"), market=("string", "ISO country code"),
            traffic_source=("string", "where the visit came from"), sessions=("integer", "visits"),
            product_views=("integer", "visits that viewed a product"),
            add_to_cart=("integer", "visits that added to cart"), checkouts=("integer", "visits that began checkout"),
            orders=("integer", "visits that ordered")),
    _schema("orders", "One row per order.",
            order_id=("string", "order key"), customer_id=("string", "buyer"), order_date=("datetime", "day ordered"),
            market=("string", "destination country"), traffic_source=("string", "source of the visit"),
            currency=("string", "ISO currency code paid in"), fx_rate_to_usd=("float", "USD per unit of currency"),
            units=("integer", "items in the order"), gmv_local=("float", "merchandise value, local currency"),
            gmv_usd=("float", "merchandise value, USD")),
    _schema("order_lines", "One row per product in an order.",
            order_id=("string", "order key"), line_number=("integer", "1..k within the order"),
            product_id=("string", "product key"), quantity=("integer", "items"),
            unit_price_local=("float", "price per item, local currency"),
            line_total_local=("float", "quantity x unit price, local currency"),
            line_total_usd=("float", "line total, USD")),
    _schema("returns", "One row per returned order line.",
            return_id=("string", "return key"), order_id=("string", "order key"),
            line_number=("integer", "returned line of the order"), product_id=("string", "product key"),
            return_date=("datetime", "day received back"), quantity=("integer", "items returned"),
            refund_local=("float", "refund, local currency"), refund_usd=("float", "refund, USD"),
            reason=("string", "stated reason")),
    _schema("marketing_spend", "Daily paid-media spend by market and channel.",
            date=("datetime", "day"), market=("string", "ISO country code"), channel=("string", "paid channel"),
            spend_usd=("float", "spend, USD"), impressions=("integer", "ad impressions"), clicks=("integer", "ad clicks")),
    _schema("transactions", "CDNOW: one row per customer purchase day (real data).",
            customer_id=("string", "customer key"), date=("datetime", "purchase day"),
            quantity=("integer", "CDs bought"), amount=("float", "spend, USD")),
]}
