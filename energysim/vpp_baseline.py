"""Customer baseline of a demand-response (VPP) event: the average of similar recent days.

The usual rule (DOMAIN.md, "Demand response and VPP payments") is that the baseline of a
response is the average load of the same time window on the 5 most recent similar days:

* *similar* means the same class of day as the event's day, working day or non-working day
  (weekend or public holiday), from the official Chinese calendar in `energysim.daytypes`;
  a make-up working day (调休上班) is a working day;
* only days before the event's day count, and never a day that holds an event of the
  programme (``excluded_days``), nor a day whose event window is not wholly in the data;
* if the horizon holds fewer than ``n`` such days, the ones that exist are used.

With ``D`` the baseline days and ``p_d(τ)`` the mean power [kW] of step ``τ`` of the window
on day ``d``::

    baseline_kw(τ) = (1 / |D|) Σ_{d in D} p_d(τ)            per step of the window
    mean_kw        = (1 / N)   Σ_τ baseline_kw(τ)            over the N steps of the window

so the baseline keeps the shape of the window, and ``mean_kw`` is the baseline's mean power
over the window. `programme_baselines` gives every member's baseline of every event of a
programme; the scenario checks them when it is loaded, the model reads them as data. The
series is whatever quantity the programme's baseline is computed on (e.g. load net of
available PV), as mean power per step on a naive local-time index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from energysim.daytypes import OFFICIAL, Calendar, day_kind
from energysim.demand_side import VPPSpec
from energysim.schema import parse_window


@dataclass(frozen=True)
class EventWindow:
    """One demand-response event.

    Attributes
    ----------
    name : str
        Name of the event, unique within a programme.
    start : pandas.Timestamp
        First instant of the event, naive local time.
    end : pandas.Timestamp
        End of the event (exclusive), on the same day as ``start`` or its midnight.
    """

    name: str
    start: pd.Timestamp
    end: pd.Timestamp

    def __post_init__(self) -> None:
        start, end = pd.Timestamp(self.start), pd.Timestamp(self.end)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        if not start < end <= start.normalize() + pd.Timedelta(days=1):
            raise ValueError(
                f"event {self.name!r} must end after it starts and no later than midnight of "
                f"its day; got {start} to {end}")

    @property
    def day(self) -> date:
        """Day of the event."""
        return self.start.date()


@dataclass(frozen=True, eq=False)
class EventBaseline:
    """Baseline of one event.

    Attributes
    ----------
    days : tuple of datetime.date
        Baseline days, most recent first.
    steps : pandas.DatetimeIndex
        Steps of the event window on the event's day (interval starts).
    step_kw : numpy.ndarray
        Baseline mean power of each step of ``steps``. [kW]
    mean_kw : float
        Mean of ``step_kw``: baseline mean power over the window. [kW]
    """

    days: tuple[date, ...]
    steps: pd.DatetimeIndex
    step_kw: np.ndarray
    mean_kw: float

    @property
    def series_kw(self) -> pd.Series:
        """``step_kw`` indexed by ``steps``. [kW]"""
        return pd.Series(self.step_kw, index=self.steps, name="baseline_kw")


def event_window(name: str, day: date, window: str) -> EventWindow:
    """Event ``name`` over ``window`` on ``day``.

    Parameters
    ----------
    name : str
        Name of the event.
    day : datetime.date
        Day of the event.
    window : str
        ``"HH:MM-HH:MM"``, local time; the end may be ``24:00`` but not wrap past midnight.

    Raises
    ------
    ValueError
        The window is malformed, empty or wraps past midnight.
    """
    start, end = parse_window(window)
    if end <= start:
        raise ValueError(
            f"event {name!r}: window {window!r} wraps past midnight; give an event within one "
            f"day, such as \"18:00-20:00\"")
    midnight = pd.Timestamp(day)
    return EventWindow(name, midnight + pd.Timedelta(minutes=start), midnight + pd.Timedelta(minutes=end))


def _step(index: pd.DatetimeIndex) -> pd.Timedelta:
    """Step length of ``index``: the smallest gap between consecutive stamps."""
    if len(index) < 2 or not index.is_monotonic_increasing or not index.is_unique:
        raise ValueError(
            "the series needs a sorted DatetimeIndex without duplicates and at least 2 steps; "
            f"got {len(index)} steps, sorted={index.is_monotonic_increasing}, unique={index.is_unique}")
    return pd.Timedelta((index[1:] - index[:-1]).min())


def _window_offsets(index: pd.DatetimeIndex, event: EventWindow) -> pd.TimedeltaIndex:
    """Offsets of the window's steps from midnight, checked against the index's steps."""
    step = _step(index)
    if (event.start - index[0]) % step or (event.end - event.start) % step:
        raise ValueError(
            f"event {event.name!r} ({event.start:%H:%M}-{event.end:%H:%M}) does not fall on the "
            f"series' steps of {step}")
    first = event.start - event.start.normalize()
    count = (event.end - event.start) // step
    return pd.TimedeltaIndex([first + k * step for k in range(count)])


def _same_class(day: date, working: bool, calendar: Calendar) -> bool:
    """Whether ``day`` is a working day (kind 0) exactly when ``working`` is."""
    return (day_kind(day, calendar) == 0) == working


def baseline_days(index: pd.DatetimeIndex, event: EventWindow, excluded_days: set[date],
                  n_days: int = 5, calendar: Calendar = OFFICIAL) -> list[date]:
    """Baseline days of ``event``: the ``n_days`` most recent similar days before it.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Steps of the series (interval starts, naive local time), sorted and regular.
    event : EventWindow
        The event.
    excluded_days : set of datetime.date
        Days that may not serve as baseline days, normally every event day of the programme.
    n_days : int, default 5
        Number of days wanted.

    Returns
    -------
    list of datetime.date
        Days before the event's day, of its class (working or non-working), not excluded,
        whose whole event window is in ``index``; most recent first, at most ``n_days``.

    Raises
    ------
    ValueError
        No such day, or the window does not fall on the index's steps.
    """
    offsets = _window_offsets(index, event)
    working = day_kind(event.day, calendar) == 0
    candidates = index.normalize().unique()
    days: list[date] = []
    for midnight in candidates[candidates < event.start.normalize()][::-1]:
        if len(days) == n_days:
            break
        day = midnight.date()
        if day in excluded_days or not _same_class(day, working, calendar):
            continue
        if (index.get_indexer(midnight + offsets) >= 0).all():
            days.append(day)
    if not days:
        kind = "working" if working else "non-working"
        raise ValueError(
            f"event {event.name!r} on {event.day}: no {kind} day before it with the whole window "
            f"{event.start:%H:%M}-{event.end:%H:%M} in the series (series from {index[0]} to "
            f"{index[-1]}, {len(excluded_days)} event days excluded)")
    return days


def baseline_kw(series_kw: pd.Series, index_days: list[date], event: EventWindow) -> EventBaseline:
    """Baseline of ``event`` from the given baseline days.

    Parameters
    ----------
    series_kw : pandas.Series
        Mean power of each step, on a sorted DatetimeIndex of interval starts. [kW]
    index_days : list of datetime.date
        Baseline days, e.g. from `baseline_days`.
    event : EventWindow
        The event.

    Returns
    -------
    EventBaseline
        Per-step mean over the days at the same time of day, and its mean over the window.

    Raises
    ------
    ValueError
        No days given, or a baseline day lacks a value in the window.
    """
    if not index_days:
        raise ValueError(f"event {event.name!r}: a baseline needs at least one day, got none")
    offsets = _window_offsets(series_kw.index, event)
    rows = [series_kw.reindex(pd.Timestamp(day) + offsets).to_numpy(dtype=float) for day in index_days]
    values = np.vstack(rows)
    missing = [day for day, row in zip(index_days, values, strict=True) if np.isnan(row).any()]
    if missing:
        raise ValueError(
            f"event {event.name!r}: the series needs values for the whole window "
            f"{event.start:%H:%M}-{event.end:%H:%M} on each baseline day; missing on {missing}")
    step_kw = values.mean(axis=0)
    steps = pd.DatetimeIndex(event.start.normalize() + offsets)
    return EventBaseline(tuple(index_days), steps, step_kw, float(step_kw.mean()))


def event_baselines(series_kw: pd.Series, events: list[EventWindow],
                    n_days: int = 5) -> dict[str, EventBaseline]:
    """Baselines of every event of a programme, no event day serving as a baseline day.

    Parameters
    ----------
    series_kw : pandas.Series
        Mean power of each step, on a sorted DatetimeIndex of interval starts. [kW]
    events : list of EventWindow
        Events of the programme, with unique names.
    n_days : int, default 5
        Number of baseline days wanted per event.

    Returns
    -------
    dict of str to EventBaseline
        Baseline of each event, by event name, in the order of ``events``.

    Raises
    ------
    ValueError
        Duplicate event names, or an event without any baseline day.
    """
    names = [event.name for event in events]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"event names must be unique; repeated: {duplicates}")
    excluded = {event.day for event in events}
    return {
        event.name: baseline_kw(series_kw, baseline_days(series_kw.index, event, excluded, n_days), event)
        for event in events
    }


def programme_baselines(programme: VPPSpec, net_load_kw: dict[str, np.ndarray],
                        index: pd.DatetimeIndex, calendar: Calendar = OFFICIAL
                        ) -> tuple[dict[str, EventWindow], dict[tuple[str, str], EventBaseline]]:
    """Event windows, and each member's baseline for each event: constant where the event
    gives one, else from ``net_load_kw`` (load net of available PV [kW]) on the programme's
    baseline days, all event days excluded.

    Raises
    ------
    ValueError
        An event has no baseline day in the horizon, or falls in a year the holiday
        calendar does not cover (the message names the event).
    """
    windows = {e.name: event_window(e.name, e.date, e.window) for e in programme.events}
    excluded = {e.date for e in programme.events}
    baselines = {}
    for v, values in net_load_kw.items():
        series = pd.Series(values, index=index)
        for event in programme.events:
            window, given = windows[event.name], (event.baseline_kw or {}).get(v)
            steps = index[(index >= window.start) & (index < window.end)]
            if given is not None:
                baselines[v, event.name] = EventBaseline((), steps, np.full(len(steps), given),
                                                         given)
                continue
            days = baseline_days(index, window, excluded, programme.baseline_days, calendar)
            baselines[v, event.name] = baseline_kw(series, days, window)
    return windows, baselines


def events_in_horizon(programme: VPPSpec, index: pd.DatetimeIndex) -> list:
    """The programme's events that lie inside the horizon (others are left out, with a note)."""
    end = index[-1] + (index[1] - index[0])
    spans = [(e, event_window(e.name, e.date, e.window)) for e in programme.events]
    return [e for e, span in spans if span.start >= index[0] and span.end <= end]
