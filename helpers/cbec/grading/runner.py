"""Execute a student's notebook cells, as a Jupyter kernel would, inside the sandbox.

This module runs in the student's process: everything here can be patched by the code it
executes, so nothing it reports is trusted.  It only produces the cells' outputs (what
the student sees in feedback) and, at each test cell, the answer variables as plain data.
The grader outside decides what they are worth.

A test cell whose answer is a function is *served*: the runner tells the grader it is
ready and then answers calls, one at a time, from its inbound pipe -- each call's
arguments as plain data, turned into the function's arguments and its result back into
plain data by the playing module's ``call`` (see :mod:`cbec.grading.functions`).
"""

from __future__ import annotations

import importlib
import sys
import traceback

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets import Type

from cbec.grading.answers import decode, encode
from cbec.grading.channel import FrameError, read_message, write_message

_CALL_LIMIT = 64 * 2**20  # bytes of one call's arguments


class _Outputs:
    """Outputs of the cell being run, with one byte budget for the whole notebook."""

    def __init__(self, budget: int):
        self.budget = budget
        self.cell: list[dict] = []
        self.dropped = 0

    def _spend(self, size: int) -> bool:
        if size <= self.budget:
            self.budget -= size
            return True
        self.dropped += size
        return False

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        if not self._spend(len(text)):
            if self.budget > 0:  # keep what still fits
                text, self.budget = text[: self.budget], 0
            else:
                return
        if self.cell and self.cell[-1].get("output_type") == "stream" and self.cell[-1]["name"] == name:
            self.cell[-1]["text"] += text
        else:
            self.cell.append({"output_type": "stream", "name": name, "text": text})

    def rich(self, output_type: str, data: dict, metadata: dict | None, count: int | None = None) -> None:
        data = {k: v for k, v in (data or {}).items() if isinstance(k, str) and isinstance(v, (str, dict, list))}
        size = sum(len(str(v)) for v in data.values())
        if not self._spend(size):
            return
        output = {"output_type": output_type, "data": data, "metadata": dict(metadata or {})}
        if output_type == "execute_result":
            output["execution_count"] = count
        self.cell.append(output)

    def error(self, ename: str, evalue: str, traceback: list[str]) -> None:
        traceback = [str(line)[:4000] for line in traceback[-40:]]
        if self._spend(sum(map(len, traceback)) + len(evalue)):
            self.cell.append({"output_type": "error", "ename": ename, "evalue": evalue[:4000], "traceback": traceback})
        else:
            self.cell.append({"output_type": "error", "ename": ename, "evalue": evalue[:500], "traceback": []})

    def take(self) -> list[dict]:
        cell, self.cell = self.cell, []
        if self.dropped:
            cell.append({"output_type": "stream", "name": "stderr",
                         "text": f"\n[output truncated: {self.dropped:,} more characters were not kept]\n"})
            self.dropped = 0
        return cell


class _Stream:
    def __init__(self, outputs: _Outputs, name: str):
        self.outputs, self.name = outputs, name
        self.encoding = "utf-8"

    def write(self, text) -> int:
        text = str(text)
        self.outputs.stream(self.name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return 1 if self.name == "stdout" else 2


class _Publisher(DisplayPublisher):
    outputs: _Outputs | None = None

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        self.outputs.rich("display_data", data, metadata)

    def clear_output(self, wait=False):
        self.outputs.cell = [o for o in self.outputs.cell if o.get("output_type") == "error"]


class _Hook(DisplayHook):
    outputs: _Outputs | None = None

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self.outputs.rich("execute_result", format_dict, md_dict, self.prompt_count)

    def finish_displayhook(self):
        pass


class NotebookShell(InteractiveShell):
    """An IPython shell that records outputs the way ipykernel would publish them."""

    outputs: _Outputs | None = None
    displayhook_class = Type(_Hook)
    display_pub_class = Type(_Publisher)

    def enable_gui(self, gui=None):
        pass  # inline figures need no event loop (as in ipykernel)

    def _showtraceback(self, etype, evalue, stb):
        name = getattr(etype, "__name__", "Error")
        self.outputs.error(str(name), str(evalue), [str(line) for line in stb])

    def bind(self, outputs: _Outputs) -> None:
        self.outputs = outputs
        self.displayhook.outputs = outputs
        self.display_pub.outputs = outputs


def make_shell() -> NotebookShell:
    """A shell created before any student code runs (the zygote makes it once)."""
    shell = NotebookShell.instance(colors="nocolor", history_length=0, cache_size=0)
    shell.history_manager.enabled = False
    shell.InteractiveTB.set_mode("Context")
    try:
        shell.enable_matplotlib("inline")
    except Exception:  # noqa: BLE001 - no matplotlib: plots just do not show
        pass
    return shell


def run_notebook(shell: NotebookShell, steps: list[dict], channel: int, output_budget: int,
                 inbound: int | None = None) -> None:
    """Execute ``steps`` and send each cell's outputs, and each snapshot, on ``channel``.

    A step is ``{"cell": i, "run": code}`` or ``{"cell": i, "snapshot": [names]}``, the
    latter with ``"serve": {name: module}`` when some answers are functions the grader
    calls through ``inbound``.
    """
    outputs = _Outputs(output_budget)
    shell.bind(outputs)
    sys.stdout, sys.stderr = _Stream(outputs, "stdout"), _Stream(outputs, "stderr")
    for step in steps:
        cell = step["cell"]
        write_message(channel, {"event": "start", "cell": cell})
        if "snapshot" in step:
            values = {}
            for name in step["snapshot"]:
                try:
                    values[name] = encode(shell.user_ns[name]) if name in shell.user_ns else {"t": "missing"}
                except Exception as error:  # noqa: BLE001 - a value that breaks encoding is unreadable
                    values[name] = {"t": "unreadable", "type": "object", "reason": f"{type(error).__name__} while reading it"}
            write_message(channel, {"event": "snapshot", "cell": cell, "values": values})
            if step.get("serve") and inbound is not None:
                _serve(shell, cell, step["serve"], channel, inbound)
                outputs.take()  # what the function printed is not feedback
            continue
        try:
            shell.run_cell(step["run"], store_history=True, silent=False)
        except KeyboardInterrupt:
            outputs.error("KeyboardInterrupt", "", [])
        write_message(channel, {"event": "cell", "cell": cell, "outputs": outputs.take(),
                                "execution_count": shell.execution_count - 1})
    write_message(channel, {"event": "done"})


def _serve(shell: NotebookShell, cell: int, functions: dict[str, str], channel: int, inbound: int) -> None:
    """Answer the grader's calls of the function answers until it says ``end``."""
    missing = [name for name in functions if name not in shell.user_ns]
    write_message(channel, {"event": "serving", "cell": cell, "missing": missing})
    while True:
        try:
            request = read_message(inbound, _CALL_LIMIT)
        except KeyboardInterrupt:  # an interrupt meant for a call that had just returned
            continue
        except FrameError:
            break
        if not isinstance(request, dict) or request.get("end") or request.get("call") not in functions:
            break
        name = request["call"]
        try:
            caller = importlib.import_module(functions[name]).call
            reply = {"event": "returned", "value": encode(caller(shell.user_ns[name], decode(request.get("args"))))}
        except KeyboardInterrupt:
            reply = {"event": "returned", "error": "KeyboardInterrupt", "message": "interrupted"}
        except BaseException as error:  # noqa: BLE001 - SystemExit too: the function failed, the notebook goes on
            lines = traceback.format_exception(type(error), error, error.__traceback__)
            reply = {"event": "returned", "error": type(error).__name__, "message": str(error)[:2000],
                     "traceback": "".join(lines[-6:])[-4000:]}
        write_message(channel, reply)
    write_message(channel, {"event": "served", "cell": cell})
