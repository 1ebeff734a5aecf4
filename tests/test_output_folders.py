"""Output folders appear or change as a whole: a run killed at any stage of writing (each
file, each rename, the removal of the old folder) leaves the complete earlier result or
the complete new one, never a mix, and the next run removes what the kill left behind;
a second run into a folder in use, a folder that cannot be written and a folder of other
files are refused before anything is solved."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import dump_yaml, tiny_scenario, two_price_tariff
from matplotlib.figure import Figure

import energysim.files as files
import energysim.report.outputs as outputs
from energysim import load_scenario, run_scenario
from energysim.analysis.sweep_run import SWEEP_MARKS, sweep_command
from energysim.cli import main
from energysim.cli._app import Terminated
from energysim.files import lock_path, reserved_folder

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="kills forked children")

BATTERY = {"capacity_kwh": 100, "power_kw": 50, "soc_min_fraction": 0.0,
           "soc_max_fraction": 1.0}
KILLED = 86
STAGES = [(pd.DataFrame, "to_csv"), (pd.DataFrame, "to_parquet"), (Path, "write_text"),
          (Figure, "savefig"), (outputs, "write_workbook"), (outputs, "write_html"),
          (os, "rename"), (os, "replace"), (os, "link"), (shutil, "rmtree"),
          (files, "_exchange")]
"""Where a kill may strike: each file written, each rename, the old folder's removal."""
BYTES_UNCOMPARED = {"report.xlsx", "report.html"}
"""Files that hold the time they were made: compared by name only."""


def scenario_file(tmp_path: Path) -> Path:
    return tiny_scenario(tmp_path, [100.0] * 24, tariff=two_price_tariff("06:00"),
                         pv_kw=[0.0] * 9 + [50.0] * 6 + [0.0] * 9, storage=BATTERY)


def snapshot(folder: Path) -> dict[str, bytes | str | None] | None:
    """Every file of ``folder`` by relative path, with its bytes (of ``sweep.json`` the grid
    it names, the rest being timings); None if the folder is missing."""
    if not folder.exists():
        return None
    return {str(p.relative_to(folder)): None if p.name in BYTES_UNCOMPARED
            else json.loads(p.read_bytes())["grid"] if p.name == "sweep.json" else p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def debris(out: Path) -> list[str]:
    """What this tool leaves beside ``out`` while it works: staging, aside and lock files."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def killed_at(stage: int, write) -> bool:
    """Run ``write()`` in a forked child that dies (``os._exit``) at the ``stage``-th call of
    any of `STAGES`; True if it was killed, False if it finished first."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            calls = [0]
            for owner, name in STAGES:
                _hook(owner, name, calls, stage)
            write()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, KILLED), f"the writer failed at stage {stage} (exit {code})"
    return code == KILLED


def _hook(owner, name: str, calls: list[int], stage: int) -> None:
    original = getattr(owner, name)

    def hooked(*args, **kwargs):
        calls[0] += 1
        if calls[0] == stage:
            os._exit(KILLED)
        return original(*args, **kwargs)

    setattr(owner, name, hooked)


def kill_at_every_stage(write, out: Path, old: Path, new: dict, marks=outputs.RESULT_MARKS
                        ) -> int:
    """Kill ``write`` at each stage in turn, starting each time from the complete result in
    folder ``old``; after every kill ``out`` holds that result or ``new``, and after the next
    run's reservation too, with nothing left beside it. Returns the stages seen."""
    before = snapshot(old)
    for stage in range(1, 60):
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(old, out)
        was_killed = killed_at(stage, write)
        state = snapshot(out)
        if state is None:  # between the two renames of a swap: the old result is aside
            assert any(".energysim-old-" in name for name in debris(out)), stage
        else:
            assert state in (before, new), f"a mix after a kill at stage {stage}"
        with reserved_folder(out, ours=marks):
            pass
        assert snapshot(out) in (before, new), stage
        assert debris(out) == [], stage
        if not was_killed:
            assert snapshot(out) == new
            return stage
    raise AssertionError("the writer never finished")


@pytest.fixture(params=["exchange", "two renames"])
def swap(request, monkeypatch):
    """Both ways of swapping folders: the atomic exchange, and rename aside, rename in."""
    if request.param == "two renames":
        monkeypatch.setattr(files, "_exchange", lambda first, second: False)
    return request.param


def test_a_run_killed_at_any_stage_leaves_the_old_result_or_the_new(tmp_path, swap):
    scenario = load_scenario(scenario_file(tmp_path))
    results = run_scenario(scenario, workers=1)
    fewer = {"none": results["none"]}  # the rerun has fewer cases: no timeseries/all.parquet
    old, reference, out = tmp_path / "old", tmp_path / "reference", tmp_path / "out"
    outputs.write_outputs(scenario, results, old, figures=False)
    outputs.write_outputs(scenario, fewer, reference, figures=False)
    new = snapshot(reference)
    assert "timeseries/all.parquet" in snapshot(old) and "timeseries/all.parquet" not in new
    stages = kill_at_every_stage(
        lambda: outputs.write_outputs(scenario, fewer, out, figures=False), out, old, new)
    assert stages >= 10  # four tables, a time series, workbook, report, summary, swap


def test_a_sweep_killed_while_writing_its_tables_keeps_every_record(tmp_path, swap):
    path = scenario_file(tmp_path)
    dump_yaml({"tariffs.t.energy_price.bands_cny_per_kwh.valley": [0.2, 0.3]}, tmp_path / "a.yaml")
    dump_yaml({"tariffs.t.energy_price.bands_cny_per_kwh.valley": [0.2]}, tmp_path / "b.yaml")
    old, reference, out = tmp_path / "old", tmp_path / "reference", tmp_path / "out"
    sweep_command(path, tmp_path / "a.yaml", old, workers=1)
    shutil.copytree(old, reference)
    sweep_command(path, tmp_path / "b.yaml", reference, workers=1)  # all done before
    new = snapshot(reference)
    assert new["records.jsonl"] == snapshot(old)["records.jsonl"]  # every stage keeps them
    assert len(pd.read_csv(reference / "sweep.csv")) == 2  # one point, two cases
    kill_at_every_stage(lambda: sweep_command(path, tmp_path / "b.yaml", out, workers=1),
                        out, old, new, SWEEP_MARKS)


def test_a_rerun_with_fewer_cases_leaves_no_file_of_the_earlier_run(tmp_path):
    path = scenario_file(tmp_path)
    out = tmp_path / "out"
    first = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "1",
                                      "--no-figures"])
    assert first.exit_code == 0, first.output
    assert (out / "timeseries" / "all.parquet").exists()
    (out / ".energysim-partial-abc").mkdir()  # what an earlier version left when killed
    again = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "1",
                                      "--no-figures", "--case", "none"])
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (out / "timeseries").iterdir()) == ["none.parquet"]
    assert set(pd.read_csv(out / "costs.csv")["case"]) == {"none"}
    assert not (out / ".energysim-partial-abc").exists() and debris(out) == []


def test_a_full_disk_keeps_the_old_result_and_exits_4(tmp_path, monkeypatch):
    path = scenario_file(tmp_path)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "1",
                                     "--no-figures"]).exit_code == 0
    before = snapshot(out)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "write_workbook", full)
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "1",
                                       "--no-figures"])
    assert result.exit_code == 4, result.output
    assert "the disk is full" in result.output and "Traceback" not in result.output
    assert snapshot(out) == before and debris(out) == []


def test_a_sigterm_while_writing_keeps_the_old_result_and_exits_143(tmp_path, monkeypatch):
    path = scenario_file(tmp_path)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "1",
                                     "--no-figures"]).exit_code == 0
    before = snapshot(out)

    def terminated(*args, **kwargs):
        raise Terminated()  # what the command line's SIGTERM handler raises

    monkeypatch.setattr(outputs, "write_html", terminated)
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "1",
                                       "--no-figures", "--case", "none"])
    assert result.exit_code == 143, result.output
    assert result.output.strip().splitlines()[-1].startswith("energysim: terminated by SIGTERM")
    assert snapshot(out) == before and debris(out) == []


def _never_solve(monkeypatch):
    def solve(*args, **kwargs):
        raise AssertionError("solved although the output folder cannot be used")

    monkeypatch.setattr("energysim.analysis.run.run_scenario", solve)
    monkeypatch.setattr("energysim.analysis.sweep_run.run_sweep", solve)


def test_a_folder_that_cannot_be_used_is_refused_before_solving(tmp_path, monkeypatch):
    path = scenario_file(tmp_path)
    _never_solve(monkeypatch)

    def run(out: Path):
        return CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "1"])

    (tmp_path / "a_file").write_text("x")
    assert run(tmp_path / "a_file").exit_code == 4
    assert "is a file, not a folder" in run(tmp_path / "a_file").output
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    refused = run(foreign)
    assert refused.exit_code == 4 and "not part of this kind of result (notes.txt)" in refused.output
    assert (foreign / "notes.txt").read_text() == "keep me"
    (foreign / "summary.json").write_text("{}")  # a result's mark beside the user's file
    refused = run(foreign)
    assert refused.exit_code == 4 and (foreign / "notes.txt").read_text() == "keep me"
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() == 0:  # root writes anywhere: say the folder is read-only
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: not (
            Path(p).resolve() == locked.resolve() and mode & os.W_OK) and real(p, mode, **kw))
    else:
        locked.chmod(0o555)
    read_only = run(locked / "out")
    locked.chmod(0o755)
    assert read_only.exit_code == 4, read_only.output
    assert "cannot write in this folder (read-only)" in read_only.output
    assert not (locked / "out").exists()
    grid = dump_yaml({"tariffs.t.energy_price.bands_cny_per_kwh.valley": [0.2]},
                     tmp_path / "grid.yaml")
    run_result = tmp_path / "run_result"
    run_result.mkdir()
    (run_result / "summary.json").write_text("{}")
    mixed = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(grid), "--out",
                                      str(run_result), "--workers", "1"])
    assert mixed.exit_code == 4 and "not part of this kind of result (summary.json)" in mixed.output


def test_a_second_run_into_a_folder_in_use_is_refused(tmp_path, monkeypatch):
    path = scenario_file(tmp_path)
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom energysim.files import reserved_folder\n"
         "with reserved_folder(sys.argv[1], ours=()):\n    print('held', flush=True)\n"
         "    time.sleep(60)\n", str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with monkeypatch.context() as patched:
            _never_solve(patched)
            run = CliRunner().invoke(main, ["run", str(path), "--out", str(out)])
            grid = dump_yaml({"tariffs.t.energy_price.bands_cny_per_kwh.valley": [0.2]},
                             tmp_path / "grid.yaml")
            sweep = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(grid),
                                              "--out", str(out)])
        for result in (run, sweep):
            assert result.exit_code == 5, result.output
            assert f"another energysim run (process {holder.pid})" in result.output
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert lock_path(out).exists()  # left by the killed holder, no longer locked
    after = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "1",
                                      "--no-figures"])
    assert after.exit_code == 0, after.output
    assert (out / "summary.json").exists() and debris(out) == []


def test_leftovers_of_killed_runs_are_put_back_or_removed(tmp_path):
    out = tmp_path / "out"
    aside = tmp_path / ".out.energysim-old-123-0badcafe"
    aside.mkdir()
    (aside / "summary.json").write_text("{}")
    staging = tmp_path / ".out.energysim-new-124-deadbeef"
    staging.mkdir()
    (staging / "costs.csv").write_text("half")
    others = [tmp_path / ".out.energysim-old-mine", tmp_path / ".other.energysim-new-1-deadbeef"]
    for folder in others:
        folder.mkdir()
    with reserved_folder(out, ours=["summary.json"]) as target:
        assert target == out.resolve()
        assert lock_path(out).read_text().strip() == str(os.getpid())
        with reserved_folder(out, ours=["summary.json"]):  # again, in the same process
            pass
        assert lock_path(out).exists()
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]  # the old result, back
    assert not aside.exists() and not staging.exists() and not lock_path(out).exists()
    assert all(folder.exists() for folder in others)  # not ours: left alone
