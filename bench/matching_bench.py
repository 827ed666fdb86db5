"""Benchmark of the matching engine on generated Dortmund-like instances.

    python bench/matching_bench.py --scale 1 --scale 10 --seeds 1 2 3
    python bench/matching_bench.py --scale 10 --seed 1 --write /tmp/inst.json   # then: python -m matching solve

Each engine run happens in its own subprocess, so the peak memory (ru_maxrss) printed is that run's own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.geo import DISTRICT_COORDINATES, haversine_km

DISTRICTS = list(DISTRICT_COORDINATES)
# rough weights: the inner city and the large outer districts have more seniors and volunteers
DISTRICT_WEIGHTS = [8, 9, 7, 6, 7, 8, 8, 7, 8, 7, 5, 5]
LANGUAGE_SHARES = {"Türkisch": 0.09, "Russisch": 0.07, "Polnisch": 0.05, "Arabisch": 0.03}
BLOCKS = [(8 * 60, 12 * 60), (9 * 60, 13 * 60), (13 * 60, 17 * 60), (14 * 60, 18 * 60), (9 * 60, 17 * 60)]
WINDOWS = [(8 * 60, 12 * 60), (9 * 60, 12 * 60), (10 * 60, 13 * 60), (13 * 60, 16 * 60), (14 * 60, 18 * 60)]


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def slot(day: int, start: int, end: int) -> dict:
    return {"weekday": day, "start": hhmm(start), "end": hhmm(end)}


def neighbours(district: str) -> list[str]:
    """Other districts, nearest first."""
    here = DISTRICT_COORDINATES[district]
    return sorted((d for d in DISTRICTS if d != district), key=lambda d: haversine_km(here, DISTRICT_COORDINATES[d]))


def make_volunteer(rng: random.Random, vid: int, service: str) -> dict:
    home = rng.choices(DISTRICTS, DISTRICT_WEIGHTS)[0]
    near = neighbours(home)
    districts = [home, *near[: rng.choice([0, 1, 1, 2, 2, 3])]]
    languages = ["Deutsch"] + [lang for lang, share in LANGUAGE_SHARES.items() if rng.random() < share * 1.2]
    days = sorted(rng.sample(range(5), rng.choice([1, 2, 2, 3, 3, 4])))
    if rng.random() < 0.1:
        days.append(5)
    availability, busy = [], []
    for day in days:
        start, end = rng.choice(BLOCKS)
        availability.append(slot(day, start, end))
        if rng.random() < 0.25:
            b_start = rng.randrange(start, end - 60, 30)
            busy.append(slot(day, b_start, b_start + rng.choice([60, 90, 120])))
    return {
        "id": f"V{vid}",
        "districts": districts,
        "services": [service],
        "languages": languages,
        "gender": rng.choices(["w", "m", "d"], [74, 24, 2])[0],
        "max_minutes_per_week": rng.choices([0, 60, 120, 180, 240, 360], [8, 10, 30, 22, 20, 10])[0],
        "max_seniors": rng.choices([0, 1, 2, 3], [8, 55, 30, 7])[0],
        "availability": availability,
        "busy": busy,
    }


def make_request(rng: random.Random, rid: int) -> dict:
    service = rng.choices(["besuchsdienst", "entlastung"], [40, 60])[0]
    visits = rng.choices([1, 2, 3], [72, 24, 4])[0]
    minutes = rng.choices([60, 90, 120, 180], [35, 30, 30, 5])[0]
    days = sorted(rng.sample(range(6), min(6, visits + rng.choice([0, 1, 2, 3]))))
    windows = []
    for day in days:
        start, end = rng.choice(WINDOWS)
        windows.append(slot(day, start, max(end, start + minutes)))
    languages: list[str] = []
    for lang, share in LANGUAGE_SHARES.items():
        if rng.random() < share:
            languages = [lang] if rng.random() < 0.6 else ["Deutsch", lang]
            break
    return {
        "id": rid,
        "district": rng.choices(DISTRICTS, DISTRICT_WEIGHTS)[0],
        "service": service,
        "visits_per_week": visits,
        "minutes_per_visit": minutes,
        "windows": windows,
        "languages": languages,
        "volunteer_gender": rng.choices([None, "w", "m"], [75, 22, 3])[0],
        "urgency": rng.choices([1, 2, 3], [50, 35, 15])[0],
        "waiting_days": rng.randrange(0, 120),
    }


def generate(scale: int, seed: int, *, time_limit_s: float = 10.0) -> dict:
    """A seeded Dortmund-like instance: 126*scale volunteers (51/75 split), 85*scale requests."""
    rng = random.Random(f"{scale}-{seed}")
    volunteers = [make_volunteer(rng, i, "besuchsdienst") for i in range(51 * scale)]
    volunteers += [make_volunteer(rng, 51 * scale + i, "entlastung") for i in range(75 * scale)]
    rng.shuffle(volunteers)
    requests = [make_request(rng, i) for i in range(85 * scale)]
    settings = {"slot_minutes": 15, "travel_buffer_minutes": 30, "time_limit_s": time_limit_s, "seed": seed}
    return {"volunteers": volunteers, "requests": requests, "settings": settings}


def run_child(mode: str, path: str, workers: int | None, no_cg: bool = False) -> dict:
    """Solve (or greedy) the instance in this process and report figures as JSON."""
    from matching.candidates import build_candidates
    from matching.greedy import greedy_baseline
    from matching.schedule import DayPlanner
    from matching.schema import Instance
    from matching.solver import solve
    from matching.validator import validate

    inst = Instance.from_json(Path(path).read_text(encoding="utf-8"))
    if workers:
        inst.settings.workers = workers
    if no_cg:
        inst.settings.column_generation = False
    started = time.perf_counter()
    if mode == "greedy":
        cand = build_candidates(inst)
        plan = greedy_baseline(inst, cand, DayPlanner(inst.settings.slot_minutes, inst.settings.travel_buffer_minutes))
        out = {"served": len(plan.pair_of)}
    else:
        sol = solve(inst)
        out = {
            "served": sol.served,
            "served_bound": sol.served_bound,
            "served_proven": sol.served_proven,
            "served_proven_s": sol.stats["served_proven_s"],
            "status": sol.status,
            "pairs": sol.stats["pairs"],
            "flow_bound": sol.stats["flow_bound"],
            "cuts": sol.stats["cuts"],
            "rule2": _gap(sol.stages["priority"]),
            "rule3": _gap(sol.stages["quality"]),
            "errors": len(validate(inst, sol)),
            "solver_wall_s": sol.wall_s,
        }
    out["wall_s"] = time.perf_counter() - started
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _gap(stage: dict) -> str:
    """'proven' or the relative gap between value and bound of a stage."""
    if stage["proven"]:
        return "proven"
    value, bound = stage["value"], stage["bound"]
    if abs(bound) >= 2**61 or value == 0:
        return "no bound"
    return f"gap {abs(bound - value) / abs(value):.2%}"


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.platform()} | python {platform.python_version()} | cpu {cpu} | nproc {os.cpu_count()}"


def child(mode: str, path: str, workers: int | None, no_cg: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, path]
    if workers:
        cmd += ["--workers", str(workers)]
    if no_cg:
        cmd += ["--no-column-generation"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, action="append", help="1 = Dortmund size, 10 = ten times")
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--seed", type=int, help="a single seed (with --write)")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--write", help="write the instance JSON to this file and stop")
    parser.add_argument(
        "--no-column-generation", action="store_true", help="leave the proofs to CP-SAT alone (for comparison)"
    )
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child[0], args.child[1], args.workers, args.no_column_generation)))
        return
    scales = args.scale or [1]
    if args.write:
        data = generate(scales[0], args.seed if args.seed is not None else args.seeds[0], time_limit_s=args.time_limit)
        Path(args.write).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        print(f"wrote {args.write}: {len(data['volunteers'])} volunteers, {len(data['requests'])} requests")
        return
    print(f"machine: {machine()}")
    print(
        f"time limit {args.time_limit} s, workers {args.workers or 'default (settings)'}, "
        f"column generation {'off' if args.no_column_generation else 'on'}"
    )
    header = (
        f"{'scale':>5} {'seed':>4} {'vols':>5} {'reqs':>5} {'pairs':>6} {'served':>6} {'bound':>5} {'flow':>5} "
        f"{'greedy':>6} {'status':>8} {'rule1':>5} {'rule1_s':>7} {'wall_s':>6} {'peak_MB':>7} {'cuts':>4} "
        f"{'invalid':>7} {'rule2':>12} {'rule3':>12}"
    )
    print(header)
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    for scale in scales:
        for seed in args.seeds:
            data = generate(scale, seed, time_limit_s=args.time_limit)
            path = tmp / f"matching_bench_{scale}_{seed}_{os.getpid()}.json"
            path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            try:
                res = child("solve", str(path), args.workers, args.no_column_generation)
                greedy = child("greedy", str(path), args.workers)
            finally:
                path.unlink(missing_ok=True)
            print(
                f"{scale:>5} {seed:>4} {len(data['volunteers']):>5} {len(data['requests']):>5} {res['pairs']:>6} "
                f"{res['served']:>6} {res['served_bound']:>5} {res['flow_bound']:>5} {greedy['served']:>6} "
                f"{res['status']:>8} {'yes' if res['served_proven'] else 'no':>5} {res['served_proven_s']:>7.2f} "
                f"{res['solver_wall_s']:>6.2f} {res['peak_mb']:>7.0f} {res['cuts']:>4} {res['errors']:>7} "
                f"{res['rule2']:>12} {res['rule3']:>12}",
                flush=True,
            )


if __name__ == "__main__":
    main()
