"""Benchmark of the Demenzgruppen staffing model (matching.staffing) on generated Dortmund-like months.

    python bench/group_staffing_bench.py                       # 10 groups / 60 volunteers, then 10x that
    python bench/group_staffing_bench.py --scale 1 --seeds 1 2 3 --time-limit 60 --workers 1

Scale 1 is a month of 10 groups meeting weekly (4–5 sessions each, 6–12 participants, 1 volunteer per 3, at
least 2) with 60 volunteers who do group sessions; scale N multiplies groups and volunteers. Volunteers have
2–3 weekdays free, a monthly maximum of 2–6 sessions, some an absence or home visits, half of them a history with
one group; they go to the groups of their home district and up to two neighbouring ones (of 12).
Printed per run: sessions, places needed, time to the proven optimum (or the limit), status, each
stage's value/bound, missing places; then the machine and ``uptime``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.staffing import Instance, Session, Volunteer, solve, staffing_need, validate

TIMES = [(9 * 60 + 30, 12 * 60 + 30), (14 * 60, 17 * 60), (14 * 60 + 30, 17 * 60 + 30)]


def month_days(year: int, month: int) -> list[date]:
    day, days = date(year, month, 1), []
    while day.month == month:
        days.append(day)
        day += timedelta(days=1)
    return days


def generate(scale: int, seed: int, *, year: int = 2026, month: int = 12) -> Instance:
    """A month to staff: 10 * scale groups, 60 * scale volunteers."""
    rng = random.Random(seed)
    days = month_days(year, month)
    sessions, groups = [], 10 * scale
    district_of = {f"g{g}": g % 12 for g in range(groups)}  # the groups spread over the 12 Stadtbezirke
    for g in range(groups):
        weekday = g % 5
        start, end = rng.choice(TIMES)
        need = staffing_need(rng.randint(6, 12), 3, 2)
        for day in (d for d in days if d.weekday() == weekday and d.day not in (24, 25, 26, 31)):
            sessions.append(Session(f"s{g}-{day.day}", f"g{g}", day, start, end, need, group_name=f"Gruppe {g}"))
    volunteers = []
    for v in range(60 * scale):
        free_days = rng.sample(range(5), rng.randint(2, 3))
        availability = [(w, 8 * 60, 18 * 60) for w in free_days]
        absences = []
        if rng.random() < 0.15:
            first = rng.choice(days)
            absences.append((first, first + timedelta(days=rng.randint(3, 14))))
        busy = []
        for _ in range(rng.randint(0, 3)):
            day = rng.choice(days)
            start = rng.choice((9 * 60, 11 * 60, 15 * 60, 17 * 60))
            busy.append((day, start, start + 90))
        home = rng.randrange(12)
        districts = {home, *(((home + d) % 12) for d in rng.sample((-1, 1), rng.randint(0, 2)))}
        serves = {g for g, d in district_of.items() if d in districts}
        history = {rng.choice(sorted(serves)): rng.randint(2, 10)} if serves and rng.random() < 0.5 else {}
        volunteers.append(
            Volunteer(f"v{v}", f"V{v}", rng.randint(2, 6), availability, absences, busy, history=history, groups=serves)
        )
    return Instance(sessions, volunteers, buffer=30)


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return f"load average {os.getloadavg()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, action="append", help="default: 1 and 10")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per run (all three stages)")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    print(f"machine  {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(f"uptime   {uptime()}")
    for scale in args.scale or [1, 10]:
        for seed in args.seeds:
            inst = generate(scale, seed)
            inst.time_limit_s, inst.workers, inst.seed = args.time_limit, args.workers, 0
            started = time.perf_counter()
            sol = solve(inst)
            seconds = time.perf_counter() - started
            errors = validate(inst, sol)
            places = sum(s.need for s in inst.sessions)
            missing = sum(u.missing for u in sol.unstaffed)
            stages = ", ".join(
                f"{name} {st.get('value')}/{st.get('bound')} {st['status']} {st['seconds']:.2f}s"
                for name, st in sol.stages.items()
            )
            print(
                f"scale {scale:>2} seed {seed}: {len(inst.sessions)} sessions, {len(inst.volunteers)} volunteers, "
                f"{places} places; {sol.status} in {seconds:.2f}s (workers {args.workers}); missing {missing}; "
                f"validator {'ok' if not errors else errors[:3]}"
            )
            print(f"          stages: {stages}")
    print(f"uptime   {uptime()}")


if __name__ == "__main__":
    main()
