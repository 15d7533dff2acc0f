"""Benchmark: the deadline engine against a naive minute-by-minute walk.

Runs `compute_due` on 100,000 seeded random inputs (starts over 2025–2027, 1–20 working
days or 1–40 working hours) and the naive walk on a sample of the same inputs; checks
that both agree on the sample and prints µs per call and the ratio from this run.
The calendar is built from the `holidays` package directly: no database, no Django.

    .venv/bin/python bench/bench_deadline.py [--calls 100000] [--sample 2000] [--seed 20260309]
"""

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dossiers.calendar import LOCAL_TZ, WORKING_DAYS, WORKING_HOURS, WorkCalendar, compute_due  # noqa: E402

GOAL_RATIO, GOAL_MICROSECONDS = 50, 50
FIRST, LAST = datetime(2025, 1, 1, tzinfo=LOCAL_TZ), datetime(2027, 12, 31, 23, 59, tzinfo=LOCAL_TZ)


def vietnam_calendar() -> WorkCalendar:
    data = holidays.country_holidays("VN", years=range(2024, 2030), language="vi")
    swaps = {d: "Ngày làm việc bù" for d in data.weekend_workdays if d.year in data.years}
    return WorkCalendar(days_off=dict(data.items()), extra_working=swaps)


def make_inputs(n: int, seed: int) -> list[tuple[datetime, int, str]]:
    """Seeded starts at whole minutes; one input in ten is in working hours."""
    rng = random.Random(seed)
    span = int((LAST - FIRST).total_seconds() // 60)
    inputs = []
    for _ in range(n):
        start = FIRST + timedelta(minutes=rng.randrange(span))
        if rng.random() < 0.1:
            inputs.append((start, rng.randint(1, 40), WORKING_HOURS))
        else:
            inputs.append((start, rng.randint(1, 20), WORKING_DAYS))
    return inputs


class NaiveWalk:
    """Counts working minutes one by one, from the calendar's raw data."""

    def __init__(self, cal: WorkCalendar):
        self.off, self.extra = set(cal.days_off), set(cal.extra_working)
        self.spans = [(a.hour * 60 + a.minute, b.hour * 60 + b.minute) for a, b in cal.periods]
        self.day_minutes = sum(b - a for a, b in self.spans)

    def working_day(self, day: date) -> bool:
        return day in self.extra or (day.weekday() < 5 and day not in self.off)

    def due(self, start: datetime, amount: int, unit: str) -> datetime:
        todo = amount * (60 if unit == WORKING_HOURS else self.day_minutes)
        local = start.astimezone(LOCAL_TZ)
        day, minute = local.date(), local.hour * 60 + local.minute
        working = self.working_day(day)
        while todo:
            if working and any(a <= minute < b for a, b in self.spans):
                todo -= 1
            minute += 1
            if minute == 1440 and todo:
                day, minute = day + timedelta(days=1), 0
                working = self.working_day(day)
        return datetime.combine(day, datetime.min.time(), LOCAL_TZ) + timedelta(minutes=minute)


def timed(fn, inputs) -> tuple[list, float]:
    began = time.perf_counter()
    results = [fn(*args) for args in inputs]
    return results, time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20260309)
    args = parser.parse_args()

    began = time.perf_counter()
    cal = vietnam_calendar()
    print(f"calendar built in {(time.perf_counter() - began) * 1000:.0f} ms ({len(cal.days_off)} days off)")
    inputs = make_inputs(args.calls, args.seed)
    sample = inputs[: args.sample]

    engine_results, engine_s = timed(lambda s, a, u: compute_due(cal, s, a, u), inputs)
    naive_results, naive_s = timed(NaiveWalk(cal).due, sample)
    mismatches = [(i, e, n) for i, (e, n) in enumerate(zip(engine_results, naive_results, strict=False)) if e != n]

    engine_us = engine_s / len(inputs) * 1e6
    naive_us = naive_s / len(sample) * 1e6
    ratio = naive_us / engine_us
    print(f"compute_due : {len(inputs):>7,} calls in {engine_s:6.2f} s = {engine_us:8.2f} µs/call")
    print(f"naive walk  : {len(sample):>7,} calls in {naive_s:6.2f} s = {naive_us:8.2f} µs/call")
    print(f"ratio       : {ratio:,.0f}× faster (goal ≥ {GOAL_RATIO}×, < {GOAL_MICROSECONDS} µs/call)")
    print(f"agreement   : {len(sample) - len(mismatches):,}/{len(sample):,} identical")
    for i, engine, naive in mismatches[:5]:
        print(f"  MISMATCH {inputs[i]}: engine {engine} naive {naive}")
    met = not mismatches and ratio >= GOAL_RATIO and engine_us < GOAL_MICROSECONDS
    print("goal met" if met else "GOAL NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
