"""Requests per second of every page under load, against a trivial Flask page in the same run, at two data sizes.

For each ``--scale`` (default 1 and 10) a scratch PostgreSQL database on ``--database-url``'s server (dropped at
the end) gets ``db upgrade``, ``demo-data --scale N`` with a bench login and one stored matching run (so
Vorschläge shows proposals). A test client counts the SQL statements and the HTML size of every page (as
bench/page_statements.py does). Then gunicorn starts three times on free ports with ``gunicorn.conf.py`` (2
gthread workers unless ``--workers``/``--threads`` say otherwise): with the app, with bench/trivial_app.py (a bare
Flask "ok"), and with the app and its page cache switched off (``PAGE_CACHE_SECONDS=0``: every request builds its
page). ``wrk`` (Debian package ``wrk``) opens ``--connections`` keep-alive connections with the logged-in
session's cookie and requests one page for ``--duration`` seconds, page after page; the trivial page is measured
before and after the pages of each scale and their mean is the reference.

Printed: the machine, the load averages (``uptime``) before and after each scale, and per page, once "kept" (the
page cache on, as in production: a worker builds a page once and serves it until a write commits) and once
"built" (the cache off: what the first view after a write costs): requests/s at each scale, "1/N" = the trivial
page's requests/s divided by the page's at the largest scale (the issue's target is N ≤ 20), p95 latency at the
largest scale (target ≤ 150 ms), and "growth": the page's cost in trivial requests at the largest scale over that
at the smallest (target ≤ 1.5; normalised by the trivial page of each run, so a busier machine during one scale
cancels out); then the statements of building the page at each scale (must not grow) and of serving it kept, KB
of HTML, and errors. Pages missing a target are marked with ``!``.

    apt-get install wrk
    .venv/bin/python bench/page_throughput.py                       # scale 1 and 10, 20 connections, 8 s a page
    .venv/bin/python bench/page_throughput.py --scale 10 --duration 5 --page dashboard --page vorschl
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.page_statements import (  # noqa: E402 (the repository root is on sys.path first)
    CSRF,
    LOGIN,
    PASSWORD,
    count_pages,
    fill,
    page_urls,
    scratch_database,
)

LUA = Path(__file__).with_name("page_throughput.lua")
LINE = re.compile(r"^THROUGHPUT (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)$", re.M)


@dataclass
class Load:
    """One wrk run: requests/s, latency percentiles in ms, errors, and the load average after it."""

    rps: float
    p50: float
    p95: float
    max: float
    errors: int
    load: float


def machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.platform()}"


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app_path: str, env: dict, args, log: Path):
    """gunicorn with gunicorn.conf.py serving ``app_path`` on a free port; yields the base URL, stops it after."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--log-level", "warning"]
    if args.threads:
        command += ["--threads", str(args.threads)]
    with log.open("ab") as out:
        server = subprocess.Popen(
            [*command, app_path], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/", timeout=5):
                    break
            except urllib.error.HTTPError:
                break  # it answers (a redirect to the login page is an answer)
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"gunicorn exited ({server.returncode}):\n{log.read_text()}") from None
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not answer within 60 s")
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def login(base: str) -> tuple[str, urllib.request.OpenerDirector]:
    """Log in as the bench admin; the session cookie as a header value and the opener that holds it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/login") as response:
        token = CSRF.search(response.read().decode()).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": LOGIN, "password": PASSWORD}).encode()
    with opener.open(base + "/login", data=data) as response:
        if "Abmelden" not in response.read().decode():
            raise SystemExit(f"login as {LOGIN} failed")
    return "; ".join(f"{c.name}={c.value}" for c in jar), opener


def check_pages(base: str, opener, urls: dict[str, str]) -> None:
    """Every page answers 200 for the session itself (not a redirect to the login page, not an error)."""
    for name, path in urls.items():
        with opener.open(base + path) as response:
            if response.status != 200 or response.geturl() != base + path:
                raise SystemExit(f"{name} ({path}): {response.status} {response.geturl()}")


def wrk(url: str, cookie: str | None, args) -> Load:
    """``--connections`` keep-alive connections on ``url`` for ``--duration`` seconds."""
    command = ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{args.duration}s"]
    command += ["--timeout", "60s", "-s", str(LUA)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    found = LINE.search(output)
    if not found:
        raise SystemExit(f"wrk printed no figures:\n{output}")
    requests, micros, errors, status = (int(x) for x in found.groups()[:4])
    p50, p95, top = (float(x) for x in found.groups()[4:])
    return Load(requests / (micros / 1e6), p50, p95, top, errors + status, os.getloadavg()[0])


def run_scale(scale: int, args, tmp: Path) -> dict:
    """Fill a database at ``scale``, count statements, and measure every page under load."""
    from begleitservice.app import create_app
    from begleitservice.extensions import db

    result = {"uptime": [uptime()]}
    with ExitStack() as stack:
        url = stack.enter_context(scratch_database(args.database_url, tmp, scale))
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": True})
        started = time.perf_counter()
        fill(app, scale)
        with app.app_context():
            matched = app.test_cli_runner().invoke(args=["match", "--time-limit", str(args.match_time_limit)])
        if matched.exit_code:
            raise SystemExit(f"match failed: {matched.output}")
        urls = {n: u for n, u in page_urls(app).items() if not args.page or any(p in n for p in args.page)}
        result["statements"] = count_pages(app, urls, args.repeat)
        with app.app_context():
            db.engine.dispose()
        result["fill_s"] = time.perf_counter() - started
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-secret", PYTHONPATH=str(ROOT))
        env.update(SESSION_IDLE_MINUTES="600", RATELIMIT_ENABLED="false")
        log = tmp / f"gunicorn_{scale}.log"
        base = stack.enter_context(gunicorn("wsgi:app", env, args, log))
        built = stack.enter_context(gunicorn("wsgi:app", dict(env, PAGE_CACHE_SECONDS="0"), args, log))
        trivial = stack.enter_context(gunicorn("bench.trivial_app:app", env, args, log))
        cookie, opener = login(base)  # the same secret key: the session is valid on both app servers
        check_pages(base, opener, urls)
        warm = argparse.Namespace(**{**vars(args), "duration": 2})
        wrk(base + "/", cookie, warm)  # warm the workers up
        wrk(built + "/", cookie, warm)
        result["trivial"] = [wrk(trivial + "/", None, args)]
        result["pages"] = {name: wrk(base + path, cookie, args) for name, path in urls.items()}
        if not args.kept_only:
            result["built"] = {name: wrk(built + path, cookie, args) for name, path in urls.items()}
        result["trivial"].append(wrk(trivial + "/", None, args))
        result["uptime"].append(uptime())
    lines = log.read_text(errors="replace").splitlines()
    result["log_errors"] = [line for line in lines if " ERROR " in line or line.startswith("Traceback")][:5]
    # a worker that died under load (the requests it held count as errors in wrk's figures)
    result["deaths"] = sum(1 for line in lines if "was sent SIG" in line and "SIGTERM" not in line)
    return result


def report(args, results: dict[int, dict]) -> None:
    import gunicorn as gunicorn_package
    import sqlalchemy as sa

    scales = sorted(results)
    small, large = scales[0], scales[-1]
    print(f"machine   {machine()}")
    server = sa.create_engine(sa.make_url(args.database_url).set(drivername="postgresql+psycopg"))
    with server.connect() as conn:
        version = conn.scalar(sa.text("SHOW server_version"))
    server.dispose()
    print(
        f"setup     PostgreSQL {version}, gunicorn {gunicorn_package.__version__} with gunicorn.conf.py, "
        f"{args.workers} workers{f' × {args.threads} threads' if args.threads else ''}; wrk {args.connections} "
        f"connections ({args.wrk_threads} threads), {args.duration} s per page, keep-alive, one logged-in session"
    )
    trivial = {}
    for scale in scales:
        runs = results[scale]["trivial"]
        trivial[scale] = sum(r.rps for r in runs) / len(runs)
        before, after = results[scale]["uptime"]
        print(f"scale {scale:<3} {before}")
        print(f"          {after}")
        print(
            f"          trivial Flask page: {' and '.join(f'{r.rps:.0f}' for r in runs)} req/s (mean "
            f"{trivial[scale]:.0f}, p95 {max(r.p95 for r in runs):.0f} ms); filling {results[scale]['fill_s']:.0f} s"
        )
        if results[scale]["deaths"]:
            print(f"          worker deaths (signal other than SIGTERM): {results[scale]['deaths']}")
        for line in results[scale]["log_errors"]:
            print(f"          server log: {line[:200]}")
    modes = ["pages"] + (["built"] if "built" in results[large] else [])
    head = "page".ljust(17)
    for mode in modes:
        head += f"{'kept' if mode == 'pages' else 'built':>7}" + "".join(f"{'req/s@' + str(s):>11}" for s in scales)
        head += f"{'1/N@' + str(large):>9}{'p95@' + str(large):>9}{'growth':>8}"
    head += "".join(f"{'stmts@' + str(s):>9}" for s in scales) + f"{'kept':>6}{'KB@' + str(large):>7}{'err':>5}"
    print(head + "   (p95 ms; growth = cost in trivial requests at " + f"{large}× / {small}×)")
    for name in results[large]["pages"]:
        line, misses = name.ljust(17), []
        for mode in modes:
            line += " " * 7
            for scale in scales:
                load = results[scale][mode].get(name)
                line += f"{load.rps:>11.1f}" if load else f"{'-':>11}"
            page = results[large][mode][name]
            share = trivial[large] / page.rps if page.rps else float("inf")  # not one answer within the duration
            tag = "" if mode == "pages" else " built"
            misses += [f"1/N{tag}"] if share > 20 else []
            misses += [f"p95{tag}"] if page.p95 > 150 else []
            line += f"{'1/' + format(share, '.0f'):>9}{page.p95:>9.0f}"
            first = results[small][mode].get(name)
            if len(scales) > 1 and first and first.rps:
                growth = share / (trivial[small] / first.rps)
                misses += [f"growth{tag}"] if growth > 1.5 else []
                line += f"{growth:>8.2f}"
            else:
                line += f"{'-':>8}"
        counts = [results[s]["statements"].get(name, (0, 0, 0, 0)) for s in scales]
        misses += ["stmts"] if counts[-1][0] > counts[0][0] else []
        line += "".join(f"{c[0]:>9}" for c in counts) + f"{counts[-1][3]:>6}{counts[-1][1] / 1024:>7.0f}"
        errors = sum(results[s][m][name].errors for s in scales for m in modes if name in results[s][m])
        line += f"{errors:>5}"
        print(line + (f"  ! {', '.join(misses)}" if misses else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, action="append", help="data size (repeatable); default 1 and 10")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--duration", type=int, default=8, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=20, help="concurrent users (wrk connections)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, help="gunicorn threads per worker (default: gunicorn.conf.py)")
    parser.add_argument("--repeat", type=int, default=2, help="requests per page when counting statements")
    parser.add_argument("--match-time-limit", type=float, default=10)
    parser.add_argument("--page", action="append", help="only pages whose name contains this (repeatable)")
    parser.add_argument("--kept-only", action="store_true", help="skip the second server with the page cache off")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for scale in sorted(args.scale or [1, 10]):
            results[scale] = run_scale(scale, args, Path(tmp))
    report(args, results)


if __name__ == "__main__":
    main()
