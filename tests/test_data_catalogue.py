"""The dataset catalogue: schemas, real CDNOW data, materialised copies."""

from __future__ import annotations

import pandas as pd
import pytest

import cbec.data as data
from cbec.data import SchemaError


def test_catalogue_lists_real_and_simulated_data():
    table = data.catalogue()
    assert {"store", "cdnow_sample", "cdnow_master"} <= set(table.index)
    assert set(table["kind"]) == {"real", "simulated"}


def test_cdnow_sample_is_the_published_sample():
    t = data.load("cdnow_sample").transactions
    assert len(t) == 6919 and t["customer_id"].nunique() == 2357
    assert t["date"].min() == pd.Timestamp("1997-01-01") and t["date"].max() == pd.Timestamp("1998-06-30")


def test_cdnow_master_is_the_full_cohort():
    t = data.load("cdnow_master").transactions
    assert len(t) == 69659 and t["customer_id"].nunique() == 23570


def test_loaded_real_data_cannot_corrupt_the_cache():
    first = data.load("cdnow_sample").transactions
    first["amount"] = 0.0
    assert data.load("cdnow_sample").transactions["amount"].sum() > 0


def test_store_parameters_are_forwarded():
    ds = data.load("store", days=14, seed=2)
    assert ds.orders["order_date"].nunique() <= 14
    assert set(ds) == {"products", "customers", "sessions", "orders", "order_lines", "returns", "marketing_spend"}


def test_unknown_dataset_lists_the_available_ones():
    with pytest.raises(KeyError, match="cdnow_sample"):
        data.load("cdnow")


def test_schema_error_names_every_missing_column_and_wrong_type():
    frame = pd.DataFrame({"customer_id": ["1"], "date": ["1997-01-01"]})
    with pytest.raises(SchemaError) as error:
        data.entries()["cdnow_sample"].schemas["transactions"].validate(frame)
    message = str(error.value)
    assert "quantity" in message and "amount" in message and "date (expected datetime" in message


def test_materialise_round_trip_and_skip_when_up_to_date(tmp_path):
    written = data.materialise(tmp_path, datasets=["cdnow_sample"], progress=False)
    assert list(written["status"]) == ["written"]
    back = data.load_materialised("cdnow_sample", tmp_path).transactions
    pd.testing.assert_frame_equal(back, data.load("cdnow_sample").transactions, check_dtype=False)
    again = data.materialise(tmp_path, datasets=["cdnow_sample"], progress=False)
    assert list(again["status"]) == ["kept"]
    assert "Fader" in (tmp_path / "README.md").read_text()


def test_missing_materialised_dataset_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="cbec data"):
        data.load_materialised("store", tmp_path)


def test_one_catalogue_holds_every_module_and_the_evaluation_datasets():
    names = set(data.entries())
    assert {"store", "cdnow_sample", "cdnow_master", "programme", "spector", "seller_account", "mariokart",
            "textbooks"} <= names
    assert len(data.load("mariokart")["mariokart"]) == 143
    assert set(data.load("seller_account", seed=1)) >= {"products", "orders", "search_terms", "inquiries"}
    students = data.load("spector")["students"]
    assert len(students) == 32 and {"PSI", "GRADE"} <= set(students.columns)
    assert data.catalogue().loc["store", "tables"].startswith("products, customers")
