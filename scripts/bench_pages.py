"""The portal side by side with stock Flask-AppBuilder (issue 11): the same pages, the same data, one run.

usage: .venv/bin/python scripts/bench_pages.py [--orders 10000,100000,1000000] [--databases sqlite,postgresql]
                                               [--rounds 5] [--per-round 4]

For each database and order volume it builds the portal's database (5,000 customers, 50
salespeople, teams of ten with a supervisor, finance and HR, N orders with their lines,
receivables and payments, a quarter's appraisal cycle) and the stock FAB peer's
(``../shared/bench/stockfab/seed_stock.py``, the same volumes), starts three timing processes
(scripts/bench_timer.py: portal, stock FAB with its search columns tuned, and the floor: each
page's own SQL plus a bare Flask render on the peer's database) and asks them in turn, round after
round, so that whatever else the machine does falls on all three alike. It prints medians, the SQL
statements and bytes of one request, and each process's peak resident memory.

PostgreSQL: ``BENCH_PG=postgresql://postgres@127.0.0.1:5432`` (the default) names the server; the
databases ``bench_portal_N`` and ``bench_stock_N`` are created there if missing and their public
schema is dropped and rebuilt. ``--data DIR`` keeps the SQLite files in DIR and the databases on
the server, and a later run with ``--data`` reuses what is there (``--build`` only builds).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOCK = ROOT.parent / "shared" / "bench" / "stockfab"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-of-32-bytes-or-more")

PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
SALES_USER = "s1"
# (page, who, compared with the peer): the salesperson's pages are the peer's; the dashboards and
# the appraisal exist only in the portal.
PAGES = [("order_list", SALES_USER, True), ("order_list_100", SALES_USER, True),
         ("customer_list", SALES_USER, True), ("order_record", SALES_USER, True),
         ("order_edit", SALES_USER, True), ("api_order_list", SALES_USER, True)]
PORTAL_ONLY = [("dashboard", SALES_USER), ("dashboard", "sup1"), ("dashboard", "fin1"),
               ("dashboard", "hr1"), ("dashboard", "admin"), ("appraisal", "hr1")]


def _built(url: str) -> bool:
    """Whether a kept database holds a finished build (its marker table is written last)."""
    from sqlalchemy import create_engine, inspect

    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return False
    engine = create_engine(url)
    try:
        return inspect(engine).has_table("bench_built")
    finally:
        engine.dispose()


def _settle(url: str) -> None:
    """PostgreSQL: ``VACUUM ANALYZE`` after the bulk load, as autovacuum does on a live database
    (without the visibility map an index-only scan fetches every row, and the planner prefers
    scanning the table: one salesperson's orders counted in 230 ms instead of 16 ms)."""
    if url.startswith("sqlite"):
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _mark_built(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_built (id integer)"))
    engine.dispose()


def _pg_database(name: str, keep: bool) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text("select 1 from pg_database where datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = f"{PG}/{name}"
    return url if keep and _built(url) else empty_schema(url)


def empty_schema(url: str) -> str:
    """A PostgreSQL database's public schema dropped and created again (also scripts/benchmark.py's)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def build_portal(url: str, orders: int) -> float:
    """The portal's database at ``orders`` orders (in a child process: it imports the portal)."""
    t = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "benchmark.py"), "--build", url, str(orders)],
                   check=True, cwd=ROOT)
    return time.perf_counter() - t


def build_stock(url: str, orders: int) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "seed_stock.py", url, str(orders)], check=True, cwd=STOCK,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


class Timer:
    """A bench_timer.py process, asked one JSON line at a time."""

    def __init__(self, kind: str, url: str):
        self.kind = kind
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "bench_timer.py"), kind, url],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.ready = self._read()

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.kind} timer stopped (see its error output above)")
        return json.loads(line)

    def ask(self, **req) -> dict:
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def databases(database: str, orders: int, folder: Path, keep: bool) -> tuple[str, str]:
    """The portal's and the peer's database at ``orders`` orders, built unless kept ones are there."""
    if database == "sqlite":
        urls = f"sqlite:///{folder}/portal_{orders}.db", f"sqlite:///{folder}/stock_{orders}.db"
        if not keep:
            for url in urls:
                Path(url[len("sqlite:///"):]).unlink(missing_ok=True)
    else:
        urls = _pg_database(f"bench_portal_{orders}", keep), _pg_database(f"bench_stock_{orders}", keep)
    for url, build in zip(urls, (build_portal, build_stock), strict=True):
        if keep and _built(url):
            continue
        took = build(url, orders)
        _settle(url)
        _mark_built(url)
        print(f"# {database}, {orders:,} orders: {url.rsplit('/', 1)[-1]} built in {took:.0f} s", flush=True)
    return urls


def run(database: str, orders: int, rounds: int, per_round: int, folder: Path, keep: bool) -> list[dict]:
    portal_url, stock_url = databases(database, orders, folder, keep)
    timers = {"portal": Timer("portal", portal_url), "stock": Timer("stock", stock_url),
              "floor": Timer("floor", stock_url)}
    samples: dict[tuple, list[float]] = {}
    last: dict[tuple, dict] = {}
    jobs = [(page, user, side) for page, user, peer in PAGES for side in ("portal", "stock", "floor")]
    jobs += [(page, user, "portal") for page, user in PORTAL_ONLY]
    for page, user, side in jobs:  # warm-up: caches, first-request work, the OS's file cache
        timers[side].ask(user=user, page=page, n=2)
    for _ in range(rounds):
        for page, user, side in jobs:
            # A page slower than half a second is asked once a round (the dashboards and the
            # appraisal at a million orders), so that a run stays within minutes.
            seen = samples.get((page, user, side))
            n = 1 if seen and _median(seen) > 500 else per_round
            got = timers[side].ask(user=user, page=page, n=n)
            samples.setdefault((page, user, side), []).extend(got["ms"])
            last[(page, user, side)] = got
    rss = {side: t.ask(rss=1)["rss_mb"] for side, t in timers.items()}
    for t in timers.values():
        t.close()
    rows = []
    for (page, user, side), times in samples.items():
        rows.append({"database": database, "orders": orders, "page": page, "user": user, "side": side,
                     "median_ms": round(_median(times), 2), "sql": last[(page, user, side)]["sql"],
                     "bytes": last[(page, user, side)]["bytes"], "peak_rss_mb": rss[side]})
    return rows


# gunicorn throughput: both apps served by gunicorn with the same number of workers, the order
# list of one salesperson asked by CLIENTS keep-alive connections for SECONDS, portal and peer in
# turn (twice each), counted in requests per second.
WORKERS, CLIENTS, SECONDS = 2, 4, 10


def _serve(kind: str, url: str, port: int) -> subprocess.Popen:
    env = dict(os.environ)
    if kind == "portal":
        env.update(APP_ENV="production", DATABASE_URL=url, RATELIMIT_ENABLED="0",
                   REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"))
        cmd, cwd = [f"--workers={WORKERS}", "run:app"], ROOT
    else:
        env.update(DATABASE_URL=url, STOCK_TUNED="1")
        cmd, cwd = [f"--workers={WORKERS}", "peer:a"], STOCK
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", f"--bind=127.0.0.1:{port}", "--log-level=warning",
                             *cmd], cwd=cwd, env=env)
    import http.client

    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login/")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{kind} did not start on port {port}")


def _signed_in(kind: str, port: int):
    """A keep-alive connection with a signed-in session cookie."""
    import http.client
    import re
    import urllib.parse

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login/")
    resp = conn.getresponse()
    page = resp.read().decode()
    cookies = {}

    def keep(resp):
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookies[name] = rest.split(";", 1)[0]

    keep(resp)
    form = {"username": SALES_USER, "password": "Bench-pass-123" if kind == "portal" else "demo12345"}
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    if token:
        form["csrf_token"] = token.group(1)
    conn.request("POST", "/login/", body=urllib.parse.urlencode(form),
                 headers={"Content-Type": "application/x-www-form-urlencoded",
                          "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
    resp = conn.getresponse()
    resp.read()
    keep(resp)
    assert resp.status == 302, (kind, resp.status)
    return conn, "; ".join(f"{k}={v}" for k, v in cookies.items())


def _hammer(kind: str, port: int, seconds: float) -> float:
    import threading

    clients = [_signed_in(kind, port) for _ in range(CLIENTS)]
    done, failed = [0] * CLIENTS, []
    stop = time.perf_counter() + seconds

    def run(i):
        conn, cookie = clients[i]
        while time.perf_counter() < stop:
            conn.request("GET", "/salesorderview/list/", headers={"Cookie": cookie})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                failed.append(resp.status)
                return
            done[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failed, (kind, failed[:3])
    return sum(done) / (time.perf_counter() - start)


def throughput(database: str, orders: int, folder: Path) -> dict:
    portal_url, stock_url = databases(database, orders, folder, keep=True)
    servers = {"portal": _serve("portal", portal_url, 8391), "stock": _serve("stock", stock_url, 8392)}
    ports = {"portal": 8391, "stock": 8392}
    rates: dict[str, list[float]] = {"portal": [], "stock": []}
    rss: dict[str, list[int]] = {}
    try:
        for kind in ports:  # warm-up: every worker's first requests
            _hammer(kind, ports[kind], 2)
        for _ in range(2):
            for kind in ports:
                rates[kind].append(_hammer(kind, ports[kind], SECONDS))
        rss = {kind: _workers_rss_mb(proc.pid) for kind, proc in servers.items()}
    finally:
        for proc in servers.values():
            proc.terminate()
            proc.wait(timeout=30)
    return {"database": database, "orders": orders, "portal": _median(rates["portal"]),
            "stock": _median(rates["stock"]), "rss": rss}


def _workers_rss_mb(master: int) -> list[int]:
    """The resident memory of a gunicorn master's workers (Linux /proc)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    out = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out.append(int(line.split()[1]) // 1024)
    return out


def table(rows: list[dict]) -> str:
    """One line per page: portal / stock tuned / floor, and the two ratios the targets name."""
    out = ["| database | orders | page | portal ms (SQL, KB) | stock FAB tuned ms (SQL, KB) | floor ms | "
           "portal ÷ stock | portal ÷ floor |", "|---|---|---|---|---|---|---|---|"]
    by = {(r["database"], r["orders"], r["page"], r["user"], r["side"]): r for r in rows}
    for r in rows:
        if r["side"] != "portal":
            continue
        key = (r["database"], r["orders"], r["page"], r["user"])
        stock, floor = by.get((*key, "stock")), by.get((*key, "floor"))
        page = r["page"] if r["user"] == SALES_USER else f"{r['page']} ({r['user']})"

        def cell(x):
            return f"{x['median_ms']:.1f} ({x['sql']}, {x['bytes'] // 1024})" if x else "—"

        out.append(f"| {r['database']} | {r['orders']:,} | {page} | {cell(r)} | {cell(stock)} | "
                   f"{floor['median_ms']:.1f} |" if floor else
                   f"| {r['database']} | {r['orders']:,} | {page} | {cell(r)} | — | — |")
        if stock and floor:
            out[-1] += f" {r['median_ms'] / stock['median_ms']:.2f}× | {r['median_ms'] / floor['median_ms']:.1f}× |"
        else:
            out[-1] += " | |"
    peaks = sorted({(r["database"], r["orders"], r["side"], r["peak_rss_mb"]) for r in rows})
    out.append("")
    out.append("peak RSS of the timing processes (MB): " + "; ".join(
        f"{d} {o:,} {s} {mb}" for d, o, s, mb in peaks))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", default="10000,100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=4)
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--data", help="keep the databases (SQLite files in this folder) and reuse them")
    parser.add_argument("--build", action="store_true", help="only build the databases (with --data)")
    parser.add_argument("--throughput", action="store_true",
                        help=f"gunicorn throughput of the order list instead ({WORKERS} workers each)")
    args = parser.parse_args()
    if args.throughput:
        folder = Path(args.data or tempfile.mkdtemp())
        folder.mkdir(parents=True, exist_ok=True)
        for database in args.databases.split(","):
            for orders in (int(n) for n in args.orders.split(",")):
                r = throughput(database, orders, folder)
                print(f"gunicorn, {WORKERS} workers each, {CLIENTS} clients, order list of {SALES_USER}: {database} "
                      f"{orders:,} orders: portal {r['portal']:.1f} req/s, stock FAB tuned {r['stock']:.1f} req/s "
                      f"({r['portal'] / r['stock']:.2f}×); workers' RSS MB: portal {r['rss']['portal']}, "
                      f"stock {r['rss']['stock']}", flush=True)
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.data or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for database in args.databases.split(","):
            for orders in (int(n) for n in args.orders.split(",")):
                if args.build:
                    databases(database, orders, folder, keep=True)
                    continue
                rows += run(database, orders, args.rounds, args.per_round, folder, keep=bool(args.data))
                print(table([r for r in rows if r["database"] == database and r["orders"] == orders]),
                      flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
