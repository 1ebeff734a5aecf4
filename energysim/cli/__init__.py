"""Command line: ``validate``, ``run``, ``tariffs list|show`` and ``bill``.

Exit codes: 0 success, 2 bad input (the problems, no traceback), 3 solver failure.
``--debug`` shows the traceback of unexpected errors.

`main` (the ``energysim`` console script, ``energysim.cli:main``) and its helpers are in
`energysim.cli._app`; the commands in `energysim.cli.scenario_commands` (``validate``,
``run``, ``sweep``, ``size``, ``green-size``), `energysim.cli.tariff_commands` (``tariffs``),
`energysim.cli.bill_command` (``bill``) and `energysim.cli.profile_commands`
(``profiles``). Importing this package adds them all to `main`.
"""

from __future__ import annotations

from energysim.cli._app import EXIT_BAD_INPUT, EXIT_SOLVER, _fail, _Group, _load, _or_exit, main
from energysim.cli.bill_command import bill
from energysim.cli.profile_commands import profiles, profiles_convert, profiles_load, profiles_pv
from energysim.cli.scenario_commands import green_size, run, size, sweep, validate
from energysim.cli.tariff_commands import tariffs, tariffs_list, tariffs_show

__all__ = ["EXIT_BAD_INPUT", "EXIT_SOLVER", "_Group", "_fail", "_load", "_or_exit", "bill", "green_size",
           "main", "profiles", "profiles_convert", "profiles_load", "profiles_pv", "run", "size", "sweep",
           "tariffs", "tariffs_list", "tariffs_show", "validate"]
