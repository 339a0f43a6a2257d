"""The narrow channel out of the student's process: plain data in, plain data out, and
nothing else survives the trip (tests mirror cbec/grading/answers.py and channel.py)."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pandas as pd
import pytest

from cbec.grading.answers import ChannelError, Unreadable, decode, describe_unreadable, encode
from cbec.grading.channel import FrameError, FrameReader, pack, read_message, write_message


def round_trip(value):
    return decode(json.loads(json.dumps(encode(value))))


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 2**80, 0.1, -2.5e-300, 1 + 2j, "orders", "", "市场",
    [1, 2.5, "x"], (1, "a"), {"a": 1, 2: [3.0]}, [[1, 2], [3, 4]],
])
def test_plain_values_come_back_equal_and_of_the_same_type(value):
    back = round_trip(value)
    assert back == value and type(back) is type(value)


def test_non_finite_floats_survive():
    assert math.isnan(round_trip(float("nan")))
    assert round_trip(float("inf")) == float("inf")


@pytest.mark.parametrize("value", [np.float64(2.5), np.int64(-3), np.bool_(True), np.float32(1.5)])
def test_numpy_scalars_keep_their_dtype(value):
    back = round_trip(value)
    assert back == value and back.dtype == value.dtype and isinstance(back, np.generic)


def test_arrays_series_and_frames():
    array = np.arange(12, dtype="int32").reshape(3, 4)
    assert np.array_equal(round_trip(array), array) and round_trip(array).dtype == np.int32
    series = pd.Series([1.5, 2.5], index=["US", "DE"], name="gmv_usd")
    pd.testing.assert_series_equal(round_trip(series), series, check_index_type=False)
    frame = pd.DataFrame({"market": ["US", "DE"], "orders": [3, 4],
                          "day": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    back = round_trip(frame)
    assert list(back.columns) == ["market", "orders", "day"]
    assert back["orders"].tolist() == [3, 4] and back["market"].tolist() == ["US", "DE"]
    assert back["day"].tolist() == frame["day"].tolist()
    assert round_trip(pd.Timestamp("2024-05-01")) == pd.Timestamp("2024-05-01")


class AlwaysEqual(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class Sneaky(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


@pytest.mark.parametrize("value", [AlwaysEqual("x"), Sneaky(1.0), [Sneaky(1.0)], {"k": AlwaysEqual("v")},
                                   np.array([object()], dtype=object), object(), lambda: 1,
                                   pd.Series([1], index=pd.MultiIndex.from_tuples([(1, 2)]))])
def test_subclasses_and_objects_do_not_cross(value):
    encoded = json.loads(json.dumps(encode(value)))
    assert "unreadable" in json.dumps(encoded)
    if encoded["t"] == "unreadable":
        back = decode(encoded)
        assert isinstance(back, Unreadable)
        assert "cannot read" in describe_unreadable("gmv_usd", back)


def test_an_unreadable_value_inside_a_list_stays_unreadable_and_never_equal():
    back = round_trip([Sneaky(1.0)])
    assert isinstance(back[0], Unreadable) and back[0] != 1.0


@pytest.mark.parametrize("node", [
    "gmv", 3, {"t": "eval", "v": "__import__('os')"}, {"t": "float", "v": 1.5}, {"t": "int", "v": "9" * 5000},
    {"t": "ndarray", "v": {"dtype": "|O", "shape": [1], "data": ""}},
    {"t": "ndarray", "v": {"dtype": "<f8", "shape": [2], "data": "AAAAAAAA8D8="}},
    {"t": "ndarray", "v": {"dtype": "<f8", "shape": [-1], "data": ""}},
    {"t": "list", "v": [{"t": "none"}] * 100_001}, {"t": "dict", "v": [[{"t": "list", "v": []}, {"t": "none"}]]},
])
def test_forged_or_malformed_data_is_refused(node):
    with pytest.raises(ChannelError):
        decode(node)


def test_frames_round_trip_and_oversized_frames_are_refused():
    read, write = os.pipe()
    write_message(write, {"event": "done"})
    assert read_message(read, limit=100) == {"event": "done"}
    os.write(write, pack({"x": "y" * 500}))
    with pytest.raises(FrameError, match="over the limit"):
        read_message(read, limit=100)
    os.close(read), os.close(write)


def test_the_incremental_reader_enforces_its_budget_and_rejects_garbage():
    read, write = os.pipe()
    os.set_blocking(read, False)
    reader = FrameReader(read, message_limit=1000, total_limit=50)
    os.write(write, pack({"a": 1}) + pack({"b": 2}))
    assert reader.feed() == [{"a": 1}, {"b": 2}]
    os.write(write, pack({"c": "z" * 60}))
    with pytest.raises(FrameError, match="more than"):
        reader.feed()
    garbage = FrameReader(read, 1000, 1000)
    os.write(write, b"\x00\x00\x00\x03abc")
    with pytest.raises(FrameError, match="not JSON"):
        garbage.feed()
    os.close(read), os.close(write)
