"""Ctrl-C and SIGTERM: ``energysim run`` and ``energysim sweep`` end their worker processes
within seconds, exit 130 or 143 with one line and no traceback, and leave nothing that
looks finished (the records of a sweep's finished cases are kept, on purpose)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import demo_scenario

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="reads processes from /proc")


def _stat(pid: int) -> list[str] | None:
    """The fields after the command name of /proc/PID/stat (state first), None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def children(pid: int) -> dict[int, str]:
    """The child processes of ``pid``, each with its start time (to tell a reused pid)."""
    found = {}
    for entry in os.listdir("/proc"):
        fields = _stat(int(entry)) if entry.isdigit() else None
        if fields and int(fields[1]) == pid:
            found[int(entry)] = fields[19]
    return found


def alive(processes: dict[int, str]) -> list[int]:
    """Those of ``processes`` still running (a zombie has ended)."""
    return [pid for pid, start in processes.items()
            if (fields := _stat(pid)) and fields[19] == start and fields[0] != "Z"]


def interrupt_once_working(command: list[str], signum: int, to_group: bool, out: Path
                           ) -> tuple[subprocess.CompletedProcess, dict[int, str]]:
    """Start ``command``, wait until its workers run, send ``signum`` (to its process group,
    as a terminal's Ctrl-C does, or to it alone) and wait for it to end."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    workers: dict[int, str] = {}
    while not workers and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        workers = children(process.pid)
    time.sleep(1.0)  # into their first solves
    workers |= children(process.pid)
    assert process.poll() is None and workers, "the command ended before its workers could run"
    assert not list(out.glob("*.json")), "finished before it was interrupted"
    if to_group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=20)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr), workers


def _gone_soon(workers: dict[int, str]) -> list[int]:
    deadline = time.monotonic() + 5
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive(workers)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from energysim.cli import main; main()", *args]


@pytest.mark.parametrize(("signum", "to_group", "code", "says"), [
    (signal.SIGTERM, False, 143, "terminated by SIGTERM"),
    (signal.SIGINT, True, 130, "interrupted by Ctrl-C"),
], ids=["SIGTERM to the run", "Ctrl-C to its process group"])
def test_an_interrupted_run_ends_its_workers_and_leaves_no_result(tmp_path, signum, to_group,
                                                                  code, says):
    path = demo_scenario(tmp_path, "2025-07-01", "2025-07-15")
    out = tmp_path / "out"
    started = time.monotonic()
    ended, workers = interrupt_once_working(
        _cli("run", str(path), "--out", str(out), "--workers", "2", "--no-figures"),
        signum, to_group, out)
    assert ended.returncode == code, ended.stderr[-2000:]
    assert _gone_soon(workers) == []
    last = ended.stderr.strip().splitlines()[-1]
    assert says in last and "Traceback" not in ended.stderr
    assert list(out.iterdir()) == []  # created empty before the solve, never filled
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo_short.yaml", "out"]
    assert time.monotonic() - started < 30


def test_a_terminated_sweep_ends_its_workers_and_keeps_only_its_records(tmp_path):
    path = demo_scenario(tmp_path, "2025-07-01", "2025-07-15")
    grid = tmp_path / "grid.yaml"
    grid.write_text("enterprises.auto_parts.storage.capacity_kwh: [2000, 4000, 6000, 8000]\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    ended, workers = interrupt_once_working(
        _cli("sweep", str(path), "--grid", str(grid), "--out", str(out), "--workers", "2",
             "--case", "current_pv_storage", "--quiet"), signal.SIGTERM, False, out)
    assert ended.returncode == 143, ended.stderr[-2000:]
    assert _gone_soon(workers) == []
    assert "terminated by SIGTERM" in ended.stderr and "Traceback" not in ended.stderr
    assert "records.jsonl" in ended.stderr  # says what a rerun resumes from
    assert {p.name for p in out.iterdir()} <= {"records.jsonl"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo_short.yaml", "grid.yaml", "out"]


def test_an_interrupted_command_is_not_held_by_a_blocked_thread():
    """A thread the interpreter would join at exit, blocked for good (as a pool's manager
    reading a result a stopped worker half wrote), does not keep the process alive: it
    ends within the grace period with the exit code, its last line written."""
    script = ("import threading, sys\n"
              "from energysim.cli._app import exit_without_stuck_threads\n"
              "threading.Thread(target=threading.Event().wait).start()\n"
              "print('last line', flush=False)\n"
              "exit_without_stuck_threads(130, grace_s=0.5)\n")
    started = time.monotonic()
    ended = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           timeout=60)
    assert ended.returncode == 130 and ended.stdout == "last line\n"
    assert time.monotonic() - started < 20


def test_an_interrupted_command_without_blocked_threads_exits_as_usual():
    script = ("import atexit, threading, time\n"
              "from energysim.cli._app import exit_without_stuck_threads\n"
              "atexit.register(lambda: print('atexit ran'))\n"
              "threading.Thread(target=time.sleep, args=(0.2,)).start()\n"
              "exit_without_stuck_threads(143, grace_s=10)\n")
    ended = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           timeout=60)
    assert ended.returncode == 143 and ended.stdout == "atexit ran\n"
