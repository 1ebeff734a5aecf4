"""Errors that energysim raises on purpose.

A `ScenarioError` carries every problem found in the input at once, each pointing at a
file, line and column, so that an analyst can fix them all in one pass. A `SolverError`
names the solver's termination condition; the CLI maps the first to exit code 2 and the
second to exit code 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, and where it is.

    Parameters
    ----------
    file : str
        File the problem is in (scenario, tariff or profile file).
    line, col : int or None
        1-based position in that file, where known.
    field : str
        Dotted path of the field (``enterprises.auto_parts.storage.power_kw``) or, for a
        profile, the column.
    message : str
        What is wrong and what was expected, with the offending value.
    """

    file: str
    line: int | None
    col: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}  {self.field}: {self.message}"


class ScenarioError(ValueError):
    """Bad input: one or more `Problem` s, all reported together."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])

    @classmethod
    def single(cls, file: str | Path, field: str, message: str, line: int | None = None):
        """Build an error with one problem."""
        return cls([Problem(str(file), line, None, field, message)])


class SolverError(RuntimeError):
    """The solver did not reach an optimal solution.

    Parameters
    ----------
    termination : str
        HiGHS model status, e.g. ``infeasible``, ``unbounded``, ``time_limit``.
    where : str
        Which case and enterprise(s) the model was for.
    reason : str
        What made the model fail, where it could be told (e.g. a green-supply rule).
    """

    def __init__(self, termination: str, where: str = "", reason: str = ""):
        self.termination = termination
        self.where = where
        self.reason = reason
        text = f"solver finished with termination condition '{termination}'"
        if where:
            text += f" for {where}"
        if reason:
            text += f": {reason}"
        super().__init__(text)
