"""Answers as plain data: the narrow channel between a student's process and the grader.

The student's process *encodes* the values of its answer variables into JSON-able data;
the trusted grader *decodes* them into fresh objects of exact built-in, numpy or pandas
types.  Nothing the student defined crosses: a ``str`` subclass with an ``__eq__`` that
always says yes, an object with a custom ``__float__`` or a patched ``pandas.Series`` is
not encodable and arrives as :class:`Unreadable`, a wrong answer with a clear message.

The decoder trusts nothing it is given (the encoder ran in the student's process and may
have been patched): every node is checked for its tag, its type and its size.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import numpy as np

#: Largest answer the channel carries, in bytes of array data (a whole table of orders fits).
MAX_ARRAY_BYTES = 64 * 2**20
MAX_TEXT = 1_000_000
MAX_ITEMS = 100_000
MAX_DEPTH = 8

_NUMPY_KINDS = "biufcmM"  # bool, int, uint, float, complex, timedelta, datetime: no objects


class ChannelError(ValueError):
    """Data that did not come from :func:`encode` (or was tampered with on the way)."""


@dataclass(frozen=True)
class Unreadable:
    """Stands in for an answer that is not plain data; hidden tests see it as wrong."""

    type_name: str
    reason: str

    def __repr__(self) -> str:
        return f"<unreadable {self.type_name}: {self.reason}>"


def describe_unreadable(name: str, value: Unreadable) -> str:
    return (f"{name} is a {value.type_name}, which the grader cannot read ({value.reason}). "
            "Answers must be plain numbers (int/float), text (str), True/False, lists, "
            "dicts, numpy arrays or pandas Series/DataFrames.")


# Encoding (runs in the student's process) -------------------------------------------
def encode(value, depth: int = 0) -> dict:
    """A JSON-able description of ``value``, or an ``unreadable`` node saying why not."""
    kind = type(value)
    try:
        if value is None:
            return {"t": "none"}
        if kind is bool:
            return {"t": "bool", "v": value}
        if kind is int:
            return {"t": "int", "v": str(value)}
        if kind is float:
            return {"t": "float", "v": _float_text(value)}
        if kind is complex:
            return {"t": "complex", "v": [_float_text(value.real), _float_text(value.imag)]}
        if kind is str:
            return {"t": "str", "v": value[:MAX_TEXT + 1]}
        if kind in (list, tuple):
            if depth >= MAX_DEPTH or len(value) > MAX_ITEMS:
                return _unreadable(value, "too deeply nested or too long")
            return {"t": kind.__name__, "v": [encode(item, depth + 1) for item in value]}
        if kind is dict:
            if depth >= MAX_DEPTH or len(value) > MAX_ITEMS:
                return _unreadable(value, "too deeply nested or too long")
            return {"t": "dict", "v": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
        if isinstance(value, np.generic) and kind.__module__ == "numpy":
            return {"t": "npscalar", "v": _array(np.asarray(value))}
        if kind is np.ndarray:
            return {"t": "ndarray", "v": _array(value)}
        return _encode_pandas(value, depth)
    except _NotPlain as reason:
        return _unreadable(value, str(reason))


class _NotPlain(Exception):
    pass


def _unreadable(value, reason: str) -> dict:
    kind = type(value)
    name = kind.__name__ if kind.__module__ in ("builtins", None) else f"{kind.__module__}.{kind.__qualname__}"
    return {"t": "unreadable", "type": str(name)[:200], "reason": reason[:300]}


def _float_text(number: float) -> str:
    return repr(float(number)) if math.isfinite(number) else str(float(number))


def _array(array: np.ndarray) -> dict:
    if array.dtype.kind not in _NUMPY_KINDS or array.dtype.hasobject:
        if array.dtype.kind in "OUS":
            return {"strings": _strings(array)}
        raise _NotPlain(f"an array of {array.dtype} values")
    if array.nbytes > MAX_ARRAY_BYTES:
        raise _NotPlain(f"{array.nbytes:,} bytes is larger than the grader accepts")
    contiguous = np.array(array, order="C", copy=True)  # (ascontiguousarray makes 0-d arrays 1-d)
    return {"dtype": contiguous.dtype.str, "shape": list(contiguous.shape),
            "data": base64.b64encode(contiguous.tobytes()).decode("ascii")}


def _strings(array: np.ndarray) -> dict:
    flat = array.ravel()
    if flat.size > MAX_ITEMS:
        raise _NotPlain("too many values")
    items = []
    for item in flat.tolist():
        if item is None or (type(item) is float and math.isnan(item)):
            items.append(None)
        elif type(item) is str:
            items.append(item[:MAX_TEXT])
        elif type(item) is bytes:
            items.append(item.decode("utf-8", "replace"))
        else:
            raise _NotPlain(f"an array holding {type(item).__name__} objects")
    return {"shape": list(array.shape), "items": items}


def _encode_pandas(value, depth: int) -> dict:
    import pandas as pd

    kind = type(value)
    if kind is pd.Series:
        return {"t": "series", "name": encode(value.name, depth + 1), "index": _index(value.index),
                "values": _column(value)}
    if kind is pd.DataFrame:
        if value.shape[1] > 10_000:
            raise _NotPlain("too many columns")
        return {"t": "frame", "index": _index(value.index),
                "columns": [[encode(name, depth + 1), _column(value.iloc[:, i])]
                            for i, name in enumerate(value.columns)]}
    if isinstance(value, pd.Index) and kind.__module__.startswith("pandas"):
        return {"t": "index", "v": _index(value)}
    if kind is pd.Timestamp:
        return {"t": "timestamp", "v": value.isoformat()}
    raise _NotPlain("not a number, text, list, dict, array or pandas object")


def _column(series) -> dict:
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
        return {"strings": _strings(series.to_numpy(dtype=object))}
    return _array(series.to_numpy())


def _index(index) -> dict:
    import pandas as pd

    if isinstance(index, pd.RangeIndex):
        return {"range": [int(index.start), int(index.stop), int(index.step)], "name": encode(index.name, MAX_DEPTH - 1)}
    if isinstance(index, pd.MultiIndex):
        raise _NotPlain("a MultiIndex (reset_index() first)")
    return {"values": _column(pd.Series(index)), "name": encode(index.name, MAX_DEPTH - 1)}


# Decoding (runs in the trusted grader) --------------------------------------------------
def decode(node, depth: int = 0):
    """Rebuild a value from :func:`encode` output; raise :class:`ChannelError` on anything else."""
    if depth > MAX_DEPTH + 2:
        raise ChannelError("answer nested too deeply")
    if not isinstance(node, dict) or not isinstance(node.get("t"), str):
        raise ChannelError("not an encoded answer")
    tag, value = node["t"], node.get("v")
    if tag == "none":
        return None
    if tag == "bool":
        return _expect(value, bool)
    if tag == "int":
        text = _expect(value, str)
        if len(text) > 4000:
            raise ChannelError("integer too long")
        return int(text)
    if tag == "float":
        return float(_expect(value, str))
    if tag == "complex":
        parts = _expect(value, list)
        if len(parts) != 2:
            raise ChannelError("malformed complex number")
        return complex(float(_expect(parts[0], str)), float(_expect(parts[1], str)))
    if tag == "str":
        text = _expect(value, str)
        if len(text) > MAX_TEXT:
            raise ChannelError("text too long")
        return text
    if tag in ("list", "tuple"):
        items = [decode(item, depth + 1) for item in _sized(_expect(value, list))]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        pairs = _sized(_expect(value, list))
        result = {}
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ChannelError("malformed dict entry")
            key = decode(pair[0], depth + 1)
            try:
                result[key] = decode(pair[1], depth + 1)
            except TypeError:
                raise ChannelError("unhashable dict key") from None
        return result
    if tag == "npscalar":
        array = _decode_array(value)
        if array.ndim != 0:
            raise ChannelError("a numpy scalar must have no dimensions")
        return array[()]
    if tag == "ndarray":
        return _decode_array(value)
    if tag in ("series", "frame", "index", "timestamp"):
        return _decode_pandas(tag, node, depth)
    if tag == "unreadable":
        return Unreadable(str(node.get("type", "object"))[:200], str(node.get("reason", ""))[:300])
    raise ChannelError(f"unknown answer tag {tag[:40]!r}")


def _expect(value, kind):
    if type(value) is not kind:
        raise ChannelError(f"expected {kind.__name__} in an encoded answer")
    return value


def _sized(items: list) -> list:
    if len(items) > MAX_ITEMS:
        raise ChannelError("too many items")
    return items


def _decode_array(node) -> np.ndarray:
    if not isinstance(node, dict):
        raise ChannelError("malformed array")
    if "strings" in node:
        return _decode_strings(node["strings"])
    dtype = np.dtype(_expect(node.get("dtype"), str))
    if dtype.kind not in _NUMPY_KINDS or dtype.hasobject or dtype.fields is not None:
        raise ChannelError(f"arrays of {dtype} are not accepted")
    shape = tuple(int(_expect(n, int)) for n in _expect(node.get("shape"), list))
    if any(n < 0 for n in shape) or len(shape) > 32:
        raise ChannelError("malformed array shape")
    data = base64.b64decode(_expect(node.get("data"), str), validate=True)
    if len(data) > MAX_ARRAY_BYTES or len(data) != dtype.itemsize * math.prod(shape):
        raise ChannelError("array data does not match its shape")
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()


def _decode_strings(node) -> np.ndarray:
    if not isinstance(node, dict):
        raise ChannelError("malformed text array")
    shape = tuple(int(_expect(n, int)) for n in _expect(node.get("shape"), list))
    items = _sized(_expect(node.get("items"), list))
    if math.prod(shape) != len(items):
        raise ChannelError("text array does not match its shape")
    for item in items:
        if item is not None and type(item) is not str:
            raise ChannelError("text arrays hold text or missing values only")
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array.reshape(shape)


def _decode_column(node):
    import pandas as pd

    array = _decode_array(node)
    if array.ndim != 1:
        raise ChannelError("a column must be one-dimensional")
    if array.dtype == object:
        return pd.array(array, dtype="str") if all(v is None or type(v) is str for v in array) else array
    return array


def _decode_index(node):
    import pandas as pd

    if not isinstance(node, dict):
        raise ChannelError("malformed index")
    name = decode(node.get("name", {"t": "none"}))
    if "range" in node:
        start, stop, step = (int(_expect(n, int)) for n in _expect(node["range"], list))
        if step == 0:
            raise ChannelError("malformed range index")
        return pd.RangeIndex(start, stop, step, name=name)
    return pd.Index(_decode_column(node.get("values")), name=name)


def _decode_pandas(tag: str, node: dict, depth: int):
    import pandas as pd

    if tag == "timestamp":
        return pd.Timestamp(_expect(node.get("v"), str))
    if tag == "index":
        return _decode_index(node.get("v"))
    index = _decode_index(node.get("index"))
    if tag == "series":
        values = _decode_column(node.get("values"))
        if len(values) != len(index):
            raise ChannelError("series values do not match the index")
        return pd.Series(values, index=index, name=decode(node.get("name", {"t": "none"}), depth + 1))
    columns = _sized(_expect(node.get("columns"), list))
    data, names = [], []
    for entry in columns:
        if not isinstance(entry, list) or len(entry) != 2:
            raise ChannelError("malformed column")
        names.append(decode(entry[0], depth + 1))
        values = _decode_column(entry[1])
        if len(values) != len(index):
            raise ChannelError("column does not match the index")
        data.append(values)
    frame = pd.DataFrame(dict(enumerate(data)), index=index)
    frame.columns = names if names else frame.columns
    return frame
