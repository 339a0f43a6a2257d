"""What the grading engine needs to know about an assignment, read from its source notebook.

An assignment is written in nbgrader's format and nothing more is required: the engine
reads, from the instructor's ``source/`` notebook (never from a submission),

* the **set-up cells** (locked code cells that are neither answers nor tests), which the
  trusted grader runs to rebuild the student's data;
* the **test cells** (autograded ``grade`` cells) with their visible and hidden tests; and
* each test's **answer variables**: the names its code reads that neither the set-up
  cells nor the test itself define (``gmv_usd`` in ``assert math.isclose(gmv_usd, ...)``).

Only those variables leave the student's process, as plain data, when the notebook
reaches the test cell.  Where inference would pick the wrong names, the test cell's
metadata can list them: ``{"cbec": {"answers": ["gmv_usd"]}}``.  :func:`check_plan`
runs at release time and refuses an assignment whose tests cannot be graded this way.

An answer may also be a *function* (a competition strategy): the test cell's metadata
names, per variable, the module that plays it, ``{"cbec": {"functions": {"policy":
"cbec.modules.competition.referee"}}}``.  The function never leaves the student's
process; the grader calls it there through the sandbox (see
:mod:`cbec.grading.functions`) and the test sees what that module's ``drive`` measured.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

from cbec.grading.regions import HIDDEN_BEGIN, HIDDEN_END, solution_code
_BUILTINS = frozenset(dir(builtins)) | {"get_ipython", "display", "__name__", "__file__"}


class PlanError(ValueError):
    """The source notebook cannot be graded by the engine; the message says how to fix it."""


@dataclass(frozen=True)
class TestCell:
    grade_id: str
    source: str
    points: float
    answers: tuple[str, ...]
    #: answer variables that are functions -> the module that plays them (``drive`` and ``call``)
    functions: dict[str, str] = field(default_factory=dict)

    @property
    def plain_answers(self) -> tuple[str, ...]:
        """The answers that leave the student's process as data (all but the functions)."""
        return tuple(name for name in self.answers if name not in self.functions)


@dataclass(frozen=True)
class GradingPlan:
    """Set-up and test cells of one source notebook, in notebook order."""

    notebook: str
    setup: dict[str, str] = field(default_factory=dict)  # grade_id -> code
    tests: dict[str, TestCell] = field(default_factory=dict)
    order: tuple[str, ...] = ()  # grade ids of set-up and test cells, in notebook order
    solutions: dict[str, str] = field(default_factory=dict)  # grade_id -> model answer code
    manual_points: float = 0.0  # points of the cells graded by hand (written answers, tasks)

    def answer_variables(self) -> set[str]:
        return {name for test in self.tests.values() for name in test.answers}

    def tests_reading(self, variable: str) -> list[TestCell]:
        """The test cells that grade ``variable``: those that read it as an answer."""
        return [test for test in self.tests.values() if variable in test.answers]


def python_source(code: str) -> str:
    """Cell code as plain Python (``%magics`` and ``!shell`` lines made into calls)."""
    return TransformerManager().transform_cell(code)


def load_plan(notebook_path: Path | str) -> GradingPlan:
    """Read the grading plan of one source notebook (raises :class:`PlanError`)."""
    path = Path(notebook_path)
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the same problem
        raise PlanError(f"{path} is not a readable notebook: {error}") from None
    setup, tests, order = {}, {}, []
    defined: set[str] = set()
    manual_points = 0.0
    for index, cell in enumerate(notebook.cells):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and (meta.get("solution") or meta.get("task")):
            manual_points += float(meta.get("points", 0))
        if cell.cell_type != "code" or not meta or meta.get("solution"):
            continue
        grade_id = meta.get("grade_id") or f"cell-{index}"
        if meta.get("grade"):
            answers = _answers(cell, grade_id, defined, path)
            tests[grade_id] = TestCell(grade_id, cell.source, float(meta.get("points", 0)), answers,
                                       _functions(cell, grade_id, answers, path))
            order.append(grade_id)
        elif meta.get("locked"):
            setup[grade_id] = cell.source
            defined |= bound_names(_parse(cell.source, grade_id, path))
            order.append(grade_id)
    return GradingPlan(path.name, setup, tests, tuple(order), solution_code(notebook), manual_points)


def check_plan(plan: GradingPlan) -> list[str]:
    """Problems that would make the engine grade this notebook wrongly (empty when fine)."""
    problems = []
    assigned = set()
    for grade_id, code in plan.solutions.items():
        try:
            assigned |= bound_names(ast.parse(python_source(code)))
        except SyntaxError as error:
            problems.append(f"{plan.notebook}: solution {grade_id!r} is not valid Python ({error.msg}, line {error.lineno})")
    if not plan.tests:
        problems.append(f"{plan.notebook}: no autograded test cell (an nbgrader 'grade' code cell)")
    for test in plan.tests.values():
        if not test.answers:
            problems.append(f"{plan.notebook}: test {test.grade_id!r} reads no answer variable, so no student "
                            "can change its result; name the variable it checks, or list it in the cell "
                            "metadata as {\"cbec\": {\"answers\": [...]}}")
        for name, module in test.functions.items():
            problem = function_module_problem(module)
            if problem:
                problems.append(f"{plan.notebook}: test {test.grade_id!r} plays {name} with {module}, {problem}")
        missing = [name for name in test.answers if name not in assigned]
        if missing and plan.solutions:
            problems.append(f"{plan.notebook}: test {test.grade_id!r} reads {', '.join(missing)}, which no "
                            "solution cell assigns (a typo, or a name the set-up cells should define?)")
    return problems


def _functions(cell, grade_id: str, answers: tuple[str, ...], path: Path) -> dict[str, str]:
    declared = cell.metadata.get("cbec", {}).get("functions", {})
    if not isinstance(declared, dict) or not all(
            isinstance(name, str) and isinstance(module, str) and module.startswith("cbec.")
            for name, module in declared.items()):
        raise PlanError(f"{path.name}: cell {grade_id!r} has metadata cbec.functions = {declared!r}; it must map "
                        "answer variables to the cbec module that plays them, e.g. "
                        "{\"policy\": \"cbec.modules.competition.referee\"}")
    unread = sorted(set(declared) - set(answers))
    if unread:
        raise PlanError(f"{path.name}: cell {grade_id!r} names function answer(s) {', '.join(unread)} in its "
                        "metadata but does not read them; use the variable in the test or drop it")
    return dict(declared)


def _parse(code: str, grade_id: str, path: Path) -> ast.Module:
    try:
        return ast.parse(python_source(code))
    except SyntaxError as error:
        raise PlanError(f"{path.name}: cell {grade_id!r} is not valid Python "
                        f"({error.msg}, line {error.lineno}); fix the source notebook") from None


def _answers(cell, grade_id: str, defined: set[str], path: Path) -> tuple[str, ...]:
    declared = cell.metadata.get("cbec", {}).get("answers")
    if declared is not None:
        if not isinstance(declared, list) or not all(isinstance(n, str) and n.isidentifier() for n in declared):
            raise PlanError(f"{path.name}: cell {grade_id!r} has metadata cbec.answers = {declared!r}; "
                            "it must be a list of variable names")
        return tuple(declared)
    tree = _parse(cell.source, grade_id, path)
    free = loaded_names(tree) - bound_names(tree) - defined - _BUILTINS
    return tuple(sorted(free))


def function_module_problem(module: str) -> str:
    """Why ``module`` cannot play a function answer (empty when it can)."""
    import importlib

    try:
        found = importlib.import_module(module)
    except ImportError as error:
        return f"which cannot be imported ({error})"
    lacking = [name for name in ("drive", "call") if not callable(getattr(found, name, None))]
    return f"which lacks {' and '.join(lacking)} (see cbec.grading.functions)" if lacking else ""


def bound_names(tree: ast.AST) -> set[str]:
    """Names a block of code assigns, imports or defines at its top level (or in loops)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def loaded_names(tree: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def split_hidden(code: str) -> tuple[str, str]:
    """A test cell's visible code and its hidden tests (raises PlanError on an unclosed marker)."""
    visible, hidden, inside = [], [], False
    for number, line in enumerate(code.splitlines(), start=1):
        if HIDDEN_BEGIN in line:
            if inside:
                raise PlanError(f"line {number}: {HIDDEN_BEGIN!r} inside hidden tests")
            inside = True
        elif HIDDEN_END in line:
            if not inside:
                raise PlanError(f"line {number}: {HIDDEN_END!r} without {HIDDEN_BEGIN!r}")
            inside = False
        else:
            (hidden if inside else visible).append(line)
    if inside:
        raise PlanError(f"{HIDDEN_BEGIN!r} is never closed by {HIDDEN_END!r}")
    return "\n".join(visible), "\n".join(hidden)
