"""Benchmarks of issue 4 (run: `.venv/bin/python scripts/benchmark.py [appraisal scope export dashboards search import]`;
numbers go in the README; the pages side by side with stock FAB are scripts/bench_pages.py).

1. A quarter's appraisal of 50 salespeople over 100,000 orders (with their lines, receivables,
   payments, visits and tickets) — target under 5 s on a 2-core machine.
2. Each demo role's dashboard (start page) on the demo data — target under 300 ms.
3. The row scope of one salesperson over 100,000 orders, and the database's plan for it (issue 11).
4. The XLSX export of 50,000 orders in a process of its own (issue 11) — targets under 8 s and a
   peak resident memory under 250 MB.
5. The navbar's search over 100,000 customers and 100,000 orders (issue 12) — target under 100 ms.
6. An Excel import of 50,000 customers through the API, preview and commit (issue 13) — target
   under a minute.

It builds its own SQLite databases in a temporary folder, or uses BENCH_DATABASE_URL (e.g. a
PostgreSQL database whose public schema it drops and rebuilds for each part).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "benchmark-secret-key")

from bench_pages import empty_schema  # noqa: E402  (scripts/ is on the path of a script run)
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from app import create_app  # noqa: E402
from app import models as m  # noqa: E402
from app.extensions import db  # noqa: E402

SALESPEOPLE, ORDERS, CUSTOMERS_EACH = 50, 100_000, 20
Q_START, Q_END = date(2026, 7, 1), date(2026, 9, 30)


def _app(url):
    return create_app("config", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False, AUTH_RATE_LIMITED=False)


def _url(tmp: Path, name: str) -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp / (name + '.db')}"
    return empty_schema(url)


def _load_orders(conn, rng, count: int, customers_each: int = CUSTOMERS_EACH, span=(Q_START, Q_END),
                 name_of=lambda c: f"客户{c}") -> None:
    """Products, salespeople (teams of ten), customers and ``count`` orders dated within ``span``
    (with their lines, receivables, payments and visits), by bulk insert.

    A quarter's span puts every order in the appraised quarter (the appraisal benchmark); the
    page benchmark spreads them over two years up to today, as a factory's books are: a
    receivable due more than a month ago is paid (19 in 20), a recent one sometimes."""
    first, last = span
    today = date.today()
    conn.execute(insert(m.Product.__table__), [
        {"id": 1, "code": "P1", "name": "输送机", "unit": "台", "list_price": 1000, "unit_cost": 600,
         "version": 1}])
    conn.execute(insert(m.Team.__table__), [
        {"id": t, "name": f"销售{t}组", "version": 1} for t in range(1, SALESPEOPLE // 10 + 1)])
    conn.execute(insert(m.Employee.__table__), [
        {"id": i, "number": f"B{i:03d}", "name": f"业务员{i}", "department": "销售部",
         "position": "salesperson", "status": "active", "team_id": (i - 1) // 10 + 1, "version": 1}
        for i in range(1, SALESPEOPLE + 1)])
    customers = [{"id": c, "code": f"C{c:05d}", "name": name_of(c), "owner_id": (c - 1) % SALESPEOPLE + 1,
                  "credit_limit": 0, "payment_terms_days": 30, "stage": "contracted",
                  "risk_level": "green", "version": 1}
                 for c in range(1, SALESPEOPLE * customers_each + 1)]
    conn.execute(insert(m.Customer.__table__), customers)
    days = (last - first).days
    orders, lines, receivables, payments = [], [], [], []
    for o in range(1, count + 1):
        day = first + timedelta(days=rng.randrange(days + 1))
        # Most orders older than a month are delivered; the appraisal's quarter delivers 70 %.
        settled = span != (Q_START, Q_END) and day < today - timedelta(days=30)
        delivered = day + timedelta(days=10) if rng.random() < (0.98 if settled else 0.7) else None
        if delivered and delivered > today:
            delivered = None
        orders.append({"id": o, "number": f"SO{o:07d}", "customer_id": rng.randrange(1, len(customers) + 1),
                       "order_date": day, "promised_date": day + timedelta(days=15),
                       "delivered_date": delivered, "status": "delivered" if delivered else "scheduled",
                       "version": 1})
        qty, price = rng.randint(1, 20), Decimal(rng.randint(500, 5000))
        lines.append({"order_id": o, "product_id": 1, "qty": qty, "unit_price": price,
                      "unit_cost": price * Decimal("0.7"), "version": 1})
        if o % 4 == 0:
            amount, due = price * qty, day + timedelta(days=30)
            paid = rng.random() < (0.95 if due < today - timedelta(days=30) else 0.6)
            status = "paid" if paid else "overdue" if due < today else "open"
            if span == (Q_START, Q_END):
                status = "open"  # the appraisal's figures count payments, whatever the status
            receivables.append({"id": o // 4, "number": f"AR{o:07d}", "customer_id": orders[-1]["customer_id"],
                                "order_id": o, "amount": amount, "issued_on": day,
                                "due_date": due, "status": status, "version": 1})
            if paid:
                payments.append({"receivable_id": o // 4, "paid_on": min(day + timedelta(days=25), today),
                                 "amount": amount, "method": "bank_transfer", "version": 1})
    for table, rows in ((m.SalesOrder, orders), (m.OrderLine, lines), (m.Receivable, receivables),
                        (m.Payment, payments)):
        for i in range(0, len(rows), 5000):
            conn.execute(insert(table.__table__), rows[i:i + 5000])
    conn.execute(insert(m.Visit.__table__), [
        {"customer_id": rng.randrange(1, len(customers) + 1), "visit_date": first + timedelta(days=i % days),
         "kind": "return_visit", "summary": "回访", "satisfaction": rng.randint(3, 5), "version": 1}
        for i in range(5000)])


def _add_cycle(conn):
    """The quarter's appraisal cycle (Q_START–Q_END) with a target for each salesperson."""
    cycle = m.AppraisalCycle(name="2026Q3", kind=m.appraisal.CycleKind.quarterly, start_date=Q_START,
                             end_date=Q_END)
    db.session.add(cycle)
    db.session.flush()
    conn.execute(insert(m.AppraisalTarget.__table__), [
        {"cycle_id": cycle.id, "employee_id": e, "revenue": 2_000_000, "volume": 5000, "profit": 500_000,
         "new_customers": 5, "collection_rate": 90, "version": 1} for e in range(1, SALESPEOPLE + 1)])
    return cycle


def bench_appraisal(tmp: Path) -> dict:
    from app.appraisal import scorecards

    app = _app(_url(tmp, "appraisal"))
    rng = random.Random(4)
    with app.app_context():
        upgrade()
        conn = db.session.connection()
        _load_orders(conn, rng, ORDERS)
        cycle = _add_cycle(conn)
        db.session.commit()
        # Fresh statistics, as autovacuum would gather them after such a load (PostgreSQL plans the
        # grouped joins badly without them).
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        runs = []
        for _ in range(3):
            db.session.expire_all()
            t = time.perf_counter()
            cards = scorecards(cycle)
            runs.append(time.perf_counter() - t)
        assert len(cards) == SALESPEOPLE and all(c.final is not None for c in cards)
        db.session.remove()
        db.engine.dispose()
    return {"orders": ORDERS, "salespeople": SALESPEOPLE, "runs_s": runs, "best_s": min(runs)}


def bench_dashboards(tmp: Path) -> dict:
    from app.security.sync import sync
    from app.seed import seed_demo

    app = _app(_url(tmp, "demo"))
    with app.app_context():
        upgrade()
        sync(app.appbuilder)
        seed_demo("Bench-pass-123")
    out = {}
    for user in ("sales1", "supervisor1", "finance1", "hr1", "admin"):
        client = app.test_client()
        page = client.get("/login/").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/login/", data={"username": user, "password": "Bench-pass-123", "csrf_token": token})
        client.get("/")  # warm up
        times = []
        for _ in range(10):
            t = time.perf_counter()
            resp = client.get("/")
            times.append(time.perf_counter() - t)
            assert resp.status_code == 200 and 'id="dashboard-' in resp.get_data(as_text=True), user
        out[user] = {"median_ms": round(statistics.median(times) * 1000, 1),
                     "max_ms": round(max(times) * 1000, 1)}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return out


def bench_scope(tmp: Path) -> list[str]:
    """One salesperson's orders, order lines and payments counted through the row scope over
    ``ORDERS`` orders, with the database's plan of the order count (kept to read, not asserted)."""
    from sqlalchemy import func, select

    from app.registry import BY_NAME
    from app.security.scope import scope_clause

    app = _app(_url(tmp, "scope"))
    lines = []
    with app.app_context():
        upgrade()
        _load_orders(db.session.connection(), random.Random(7), ORDERS)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        for name in ("SalesOrder", "OrderLine", "Payment"):
            entity = BY_NAME[name]
            query = select(func.count()).select_from(entity.model).where(
                scope_clause(entity, frozenset({7})))
            db.session.execute(query).scalar()
            t = time.perf_counter()
            for _ in range(10):
                n = db.session.execute(query).scalar()
            lines.append(f"scope: {name} of one salesperson ({n:,} of {ORDERS:,} orders' rows) counted in "
                         f"{(time.perf_counter() - t) * 100:.2f} ms")
        order_count = select(func.count()).select_from(m.SalesOrder).where(
            scope_clause(BY_NAME["SalesOrder"], frozenset({7})))
        explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
        compiled = order_count.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = db.session.execute(text(explain + str(compiled))).all()
        lines += ["  plan: " + " | ".join(str(row[-1]) for row in plan)]
        db.session.remove()
        db.engine.dispose()
    return lines


EXPORT_ROWS = 50_000
# One export request in a process of its own, as in a gunicorn worker: its wall time, its size and
# the process's peak resident memory (what the worker keeps after the request).
_EXPORT_CHILD = """
import os, resource, sys, time
os.environ.update(DATABASE_URL=sys.argv[1], RATELIMIT_ENABLED="0")
from run import app  # as gunicorn starts it
client = app.test_client()
page = client.get("/login/").get_data(as_text=True)
token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
client.post("/login/", data={"username": "admin", "password": "Bench-pass-123", "csrf_token": token})
client.get("/salesorderview/list/")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
resp = client.get("/salesorderview/export.xlsx")
size = len(resp.get_data())
elapsed = time.perf_counter() - t
assert resp.status_code == 200, resp.status_code
print(elapsed, size, before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def bench_export(tmp: Path) -> dict:
    """The XLSX export of the order list, ``EXPORT_ROWS`` orders, by an administrator (every row)."""
    import subprocess

    from app.security.sync import sync

    url = _url(tmp, "export")
    app = _app(url)
    with app.app_context():
        upgrade()
        sync(app.appbuilder)
        _load_orders(db.session.connection(), random.Random(11), EXPORT_ROWS)
        db.session.commit()
        sm = app.appbuilder.sm
        sm.add_user("admin", "管理", "员", "admin@bench.local", sm.find_role("Admin"), "Bench-pass-123")
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", _EXPORT_CHILD, url], cwd=root, check=True,
                         capture_output=True, text=True).stdout
    elapsed, size, before, peak = out.split()[-4:]
    return {"rows": EXPORT_ROWS, "s": float(elapsed), "bytes": int(size),
            "rss_before_mb": int(before) // 1024, "rss_peak_mb": int(peak) // 1024}


CITIES = ("广州", "深圳", "佛山", "东莞", "中山", "珠海", "惠州", "江门", "杭州", "宁波", "苏州", "无锡")
TRADES = ("机械", "五金", "电子", "塑料", "包装", "纺织", "食品", "化工", "建材", "电器", "精密", "环保")
WORDS = "明辉华信德利盛世宇航金鑫长城立通汇恒泰永安鸿运嘉和新达富源天成瑞丰"


def _company(rng):
    return (f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADES)}"
            f"{rng.choice(('有限公司', '股份有限公司', '制品厂'))}")


def bench_search(tmp: Path) -> list[str]:
    """The navbar's search (issue 12) over 100,000 customers (Chinese company names), 100,000
    orders, 25,000 receivables and 20,000 contacts: the page as the administrator (every row)
    and as a salesperson (their own), median of 10 (target < 100 ms)."""
    from werkzeug.security import generate_password_hash

    from app.security.matrix import ADMIN, SALES
    from app.security.sync import sync

    rng = random.Random(12)
    app = _app(_url(tmp, "search"))
    with app.app_context():
        upgrade()
        sync(app.appbuilder)
        conn = db.session.connection()
        names = [_company(rng) for _ in range(SALESPEOPLE * 2000)]
        _load_orders(conn, rng, ORDERS, customers_each=2000, span=(date.today() - timedelta(days=729), date.today()),
                     name_of=lambda c: names[c - 1])
        conn.execute(insert(m.Contact.__table__), [
            {"customer_id": c, "name": f"联系人{c}", "phone": f"13{rng.randrange(10**9):09d}", "version": 1}
            for c in range(1, 20_001)])
        sm = app.appbuilder.sm
        hashed = generate_password_hash("Bench-pass-123")
        for username, role, employee_id in (("admin", ADMIN, None), ("s1", SALES, 1)):
            user = sm.add_user(username, username, "测", f"{username}@bench.local", sm.find_role(role),
                               hashed_password=hashed, commit=False)
            db.session.flush()
            if employee_id:
                conn.execute(m.Employee.__table__.update().where(m.Employee.id == employee_id).values(user_id=user.id))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    # Customers 1, 51, 101... are s1's: the salesperson finds some too.
    queries = {"part of a name": names[50][2:4], "a whole name": names[100], "an order number": "SO0012345",
               "a phone's digits": "1380013", "nothing": "不存在的客户名称"}
    lines = []
    for username in ("admin", "s1"):
        client = app.test_client()
        page = client.get("/login/").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/login/", data={"username": username, "password": "Bench-pass-123", "csrf_token": token})
        for label, q in queries.items():
            client.get("/search/", query_string={"q": q})  # warm up
            times = []
            for _ in range(10):
                t = time.perf_counter()
                resp = client.get("/search/", query_string={"q": q})
                times.append(time.perf_counter() - t)
                assert resp.status_code == 200, (username, q)
            hits = resp.get_data(as_text=True).count("search-hit")
            lines.append(f"search as {username:5s} {label:17s} {q!r:>14}: median {statistics.median(times) * 1000:6.1f} ms, "
                         f"max {max(times) * 1000:6.1f} ms, {hits} shown (target < 100 ms)")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return lines


def bench_import(tmp: Path, rows: int = 50_000) -> dict:
    """50,000 new customers in one XLSX through ``POST /api/v1/import/customer?commit=1`` as the
    administrator (each row checked, numbered, recorded in the history), after its preview."""
    import io

    import xlsxwriter

    from app.security.sync import sync
    from app.seed import seed_demo

    app = _app(_url(tmp, "imports"))
    with app.app_context():
        upgrade()
        sync(app.appbuilder)
        seed_demo("Bench-pass-123")
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["code", "name", "tax_id", "phone", "region", "credit_limit", "payment_terms_days"])
    rng = random.Random(13)
    for i in range(rows):
        sheet.write_row(i + 1, 0, ["", f"导入基准客户{i:06d}", f"9144{i:014d}", f"0757-{rng.randint(10**7, 10**8 - 1)}",
                                   "广东", rng.choice((50000, 100000, 200000)), 30])
    book.close()
    data = out.getvalue()
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={"username": "admin", "password": "Bench-pass-123",
                                                         "provider": "db"}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    timings = {}
    for name, query in (("preview", ""), ("commit", "?commit=1")):
        t = time.perf_counter()
        resp = client.post(f"/api/v1/import/customer{query}", headers=headers,
                           data={"file": (io.BytesIO(data), "customers.xlsx")}, content_type="multipart/form-data")
        timings[name] = time.perf_counter() - t
        assert resp.status_code in (200, 201), resp.get_data(as_text=True)[:500]
    with app.app_context():
        made = db.session.execute(text("SELECT count(*) FROM customer WHERE name LIKE '导入基准客户%'")).scalar()
        db.session.remove()
        db.engine.dispose()
    assert made == rows, made
    return {"rows": rows, "bytes": len(data), **{f"{k}_s": v for k, v in timings.items()}}


def build_pages(url: str, orders: int) -> None:
    """The database of scripts/bench_pages.py: 5,000 customers, ``orders`` orders, the 50
    salespeople's logins s1…s50, a supervisor of the first team (sup1), finance (fin1), HR (hr1),
    an administrator (admin) and the quarter's appraisal cycle (id 1) with its targets."""
    from werkzeug.security import generate_password_hash

    from app.security.matrix import ADMIN, FINANCE, HR, SALES, SUPERVISOR
    from app.security.sync import sync

    app = _app(url)
    with app.app_context():
        upgrade()
        sync(app.appbuilder)
        conn = db.session.connection()
        _load_orders(conn, random.Random(7), orders, customers_each=100,
                     span=(date.today() - timedelta(days=729), date.today()))
        staff = [(SALESPEOPLE + 1, "sup1", "主管", "supervisor", SUPERVISOR),
                 (SALESPEOPLE + 2, "fin1", "财务", "finance", FINANCE), (SALESPEOPLE + 3, "hr1", "人事", "hr", HR)]
        conn.execute(insert(m.Employee.__table__), [
            {"id": i, "number": f"B{i:03d}", "name": name, "department": "销售部", "position": position,
             "status": "active", "version": 1} for i, _u, name, position, _r in staff])
        conn.execute(m.Team.__table__.update().where(m.Team.id == 1).values(supervisor_id=SALESPEOPLE + 1))
        sm = app.appbuilder.sm
        hashed = generate_password_hash("Bench-pass-123")
        logins = [(i, f"s{i}", SALES) for i in range(1, SALESPEOPLE + 1)]
        logins += [(i, username, role) for i, username, _n, _p, role in staff] + [(None, "admin", ADMIN)]
        for employee_id, username, role in logins:
            user = sm.add_user(username, username, "测", f"{username}@bench.local", sm.find_role(role),
                               hashed_password=hashed, commit=False)
            if employee_id:
                db.session.flush()
                conn.execute(m.Employee.__table__.update().where(m.Employee.id == employee_id)
                             .values(user_id=user.id))
        _add_cycle(conn)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    if sys.argv[1:2] == ["--build"]:  # scripts/bench_pages.py builds its databases through this
        build_pages(sys.argv[2], int(sys.argv[3]))
        return
    parts = set(sys.argv[1:]) or {"appraisal", "scope", "export", "dashboards", "search", "import"}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if "appraisal" in parts:
            appraisal = bench_appraisal(tmp)
            print(f"appraisal: {appraisal['salespeople']} salespeople, {appraisal['orders']:,} orders in the quarter: "
                  f"best {appraisal['best_s']:.2f} s of {[round(r, 2) for r in appraisal['runs_s']]} (target < 5 s)")
        if "scope" in parts:
            for line in bench_scope(tmp):
                print(line)
        if "export" in parts:
            export = bench_export(tmp)
            print(f"export: {export['rows']:,} orders to XLSX in {export['s']:.1f} s, {export['bytes']:,} bytes; "
                  f"worker RSS {export['rss_before_mb']} MB before, {export['rss_peak_mb']} MB at its peak "
                  f"(targets < 8 s, < 250 MB)")
        if "search" in parts:
            for line in bench_search(tmp):
                print(line)
        if "import" in parts:
            result = bench_import(tmp)
            print(f"import: {result['rows']:,} customers from a {result['bytes']:,}-byte XLSX: preview "
                  f"{result['preview_s']:.1f} s, commit {result['commit_s']:.1f} s (target < 60 s)")
        if "dashboards" in parts:
            for user, t in bench_dashboards(tmp).items():
                print(f"dashboard {user:12s} median {t['median_ms']:7.1f} ms  max {t['max_ms']:7.1f} ms "
                      f"(target < 300 ms)")


if __name__ == "__main__":
    main()
