"""Length-prefixed JSON messages over a pipe, read with hard limits.

Both ends of every pipe that carries data out of a sandbox use this framing.  The reader
never trusts the writer: a frame longer than the reader's limit, a broken frame or text
that is not JSON ends the conversation with :class:`FrameError` instead of a hang or a
huge allocation.
"""

from __future__ import annotations

import json
import os
import struct

_HEADER = struct.Struct(">I")


class FrameError(RuntimeError):
    """The other end sent something that is not a well-formed, small enough message."""


def pack(message) -> bytes:
    body = json.dumps(message, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return _HEADER.pack(len(body)) + body


def write_message(fd: int, message) -> None:
    data = memoryview(pack(message))
    while data:
        written = os.write(fd, data)
        data = data[written:]


def read_exactly(fd: int, size: int) -> bytes | None:
    """``size`` bytes from ``fd``, or ``None`` at end of file before the first byte."""
    chunks, missing = [], size
    while missing:
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            if missing == size:
                return None
            raise FrameError("the message was cut off")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int, limit: int):
    """The next message from ``fd`` (``None`` at end of file)."""
    header = read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > limit:
        raise FrameError(f"a message of {size:,} bytes is over the limit of {limit:,}")
    body = read_exactly(fd, size)
    if body is None:
        raise FrameError("the message was cut off")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FrameError(f"the message is not JSON ({error})") from None


class FrameReader:
    """Incremental reader for a non-blocking pipe, with a budget for the whole conversation."""

    def __init__(self, fd: int, message_limit: int, total_limit: int):
        self.fd = fd
        self.message_limit = message_limit
        self.total_limit = total_limit
        self.total = 0
        self._buffer = bytearray()
        self.closed = False

    def feed(self) -> list:
        """Read what is available; return the complete messages (raises FrameError)."""
        try:
            chunk = os.read(self.fd, 1 << 20)
        except BlockingIOError:
            return []
        if not chunk:
            self.closed = True
            if self._buffer:
                raise FrameError("the last message was cut off")
            return []
        self.total += len(chunk)
        if self.total > self.total_limit:
            raise FrameError(f"more than {self.total_limit:,} bytes of results")
        self._buffer += chunk
        messages = []
        while len(self._buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buffer)
            if size > self.message_limit:
                raise FrameError(f"a message of {size:,} bytes is over the limit of {self.message_limit:,}")
            if len(self._buffer) < _HEADER.size + size:
                break
            body = bytes(self._buffer[_HEADER.size:_HEADER.size + size])
            del self._buffer[:_HEADER.size + size]
            try:
                messages.append(json.loads(body))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise FrameError(f"a message is not JSON ({error})") from None
        return messages
