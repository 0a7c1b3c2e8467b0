"""One side of the side-by-side page benchmark, in a process of its own (scripts/bench_pages.py).

usage: python scripts/bench_timer.py portal|stock|floor DATABASE_URL

It reads one JSON request per line on stdin, ``{"user": "s1", "page": "order_list", "n": 5}``,
times ``n`` requests of that page through the app's test client (in-process, no network) and
answers one JSON line: the times in ms, the SQL statements and bytes of the last request, and the
process's peak resident memory. ``{"ids": "s1"}`` answers the user's first order id (the record
page's row), ``{"rss": 1}`` the peak memory alone.

The portal and the stock peer cannot share a process: both declare tables named ``customer`` and
``sales_order`` on FAB's metadata. The floor (the page's own SQL through the database driver plus
a bare Flask render, no framework) runs on the peer's database, whose schema is the simplest
possible for these pages.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOCK = ROOT.parent / "shared" / "bench" / "stockfab"
PASSWORD = {"portal": "Bench-pass-123", "stock": "demo12345"}

# The pages, per side: (method, url template). {id} is the user's first order.
PAGES = {
    "portal": {
        "order_list": "/salesorderview/list/",
        "order_list_100": "/salesorderview/list/?psize_SalesOrderView=100",
        "customer_list": "/customerview/list/",
        "order_record": "/salesorderview/show/{id}",
        "order_edit": "/salesorderview/edit/{id}",
        "api_order_list": "/api/v1/salesorder/",
        "dashboard": "/",
        "appraisal": "/appraisal/1",
    },
    "stock": {
        "order_list": "/salesorderview/list/",
        "order_list_100": "/salesorderview/list/?psize_SalesOrderView=100",
        "customer_list": "/customerview/list/",
        "order_record": "/salesorderview/show/{id}",
        "order_edit": "/salesordereditview/edit/{id}",
        "api_order_list": "/api/v1/salesorder/",
    },
}


def _rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


class Side:
    """An app, its engine's statement counter and one signed-in client per user."""

    def __init__(self, kind: str, url: str):
        # A browser's client (session cookie) and an API client (its token only) per user.
        self.kind, self.clients, self.api_clients, self.tokens, self.statements = kind, {}, {}, {}, 0
        if kind == "portal":
            sys.path.insert(0, str(ROOT))
            os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-of-32-bytes-or-more")
            os.environ.update(DATABASE_URL=url, RATELIMIT_ENABLED="0")
            from app.extensions import db
            from run import app  # as gunicorn starts it

            self.app = app
        else:
            sys.path.insert(0, str(STOCK))
            os.environ["DATABASE_URL"] = url
            os.environ["STOCK_TUNED"] = "1"
            # The peer's app.py (its folder is first on the path), which peer.py imports too.
            import app as stock  # noqa: I001
            import peer

            self.app, db = peer.a, stock.db
        from sqlalchemy import event

        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.statements += 1

    def client(self, user: str):
        if user not in self.clients:
            client = self.app.test_client()
            data = {"username": user, "password": PASSWORD[self.kind]}
            if self.kind == "portal":
                page = client.get("/login/").get_data(as_text=True)
                data["csrf_token"] = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
            resp = client.post("/login/", data=data)
            assert resp.status_code == 302, (user, resp.status_code)
            api_client = self.app.test_client()
            api = api_client.post("/api/v1/security/login", json={
                "username": user, "password": PASSWORD[self.kind], "provider": "db"})
            assert api.status_code == 200, (user, api.status_code)
            self.tokens[user] = {"Authorization": f"Bearer {api.json['access_token']}"}
            self.clients[user], self.api_clients[user] = client, api_client
        return self.clients[user]

    def first_order(self, user: str) -> int:
        """The user's first order that may still be edited (the portal locks delivered orders;
        the peer has no workflow)."""
        query = "(page_size:1)" if self.kind == "stock" else \
            "(filters:!((col:status,opr:eq,value:scheduled)),page_size:1)"
        self.client(user)
        resp = self.api_clients[user].get(PAGES[self.kind]["api_order_list"] + "?q=" + query,
                                          headers=self.tokens[user])
        return resp.json["ids"][0] if resp.status_code == 200 else None  # HR reads no orders

    def time(self, user: str, page: str, n: int, order_id: int | None) -> dict:
        client = self.client(user)
        url = PAGES[self.kind][page].format(id=order_id)
        headers = None
        if url.startswith("/api/"):
            client, headers = self.api_clients[user], self.tokens[user]
        times = []
        for _ in range(n):
            self.statements = 0
            t = time.perf_counter()
            resp = client.get(url, headers=headers)
            body = resp.get_data()
            times.append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200, (self.kind, url, resp.status_code)
        return {"ms": times, "sql": self.statements, "bytes": len(body), "rss_mb": _rss_mb()}


class Floor:
    """Each page's own SQL on the peer's database, through the driver, plus a bare Flask render."""

    LIST = ("select o.id, o.number, o.order_date, c.name, o.amount, o.status from sales_order o "
            "join customer c on c.id = o.customer_id where o.owner_id = :u "
            "order by o.order_date desc limit :k")

    def __init__(self, url: str):
        from flask import Flask, jsonify, render_template_string
        from sqlalchemy import create_engine, event, text

        self.engine = create_engine(url)
        self.conn = self.engine.connect()
        self.statements = 0
        event.listen(self.engine, "before_cursor_execute", self._count)
        self.users = dict(self.conn.execute(text("select username, id from ab_user")).all())
        q = lambda sql, **kw: self.conn.execute(text(sql), kw).all()  # noqa: E731
        table = ("<table>{% for r in rows %}<tr>{% for c in r %}<td>{{ c }}</td>{% endfor %}</tr>"
                 "{% endfor %}</table><p>{{ n }}</p>"
                 "{% if options %}<select>{% for o in options %}<option value='{{ o[0] }}'>{{ o[1] }}"
                 "</option>{% endfor %}</select>{% endif %}")
        app = Flask(__name__)

        def count(sql, u):
            return self.conn.execute(text(sql), {"u": u}).scalar()

        def listing(k):
            u = self.users[self.user]
            n = count("select count(*) from sales_order where owner_id = :u", u)
            return render_template_string(table, rows=q(self.LIST, u=u, k=k), n=n, options=None)

        @app.route("/order_list")
        def order_list():
            return listing(20)

        @app.route("/order_list_100")
        def order_list_100():
            return listing(100)

        @app.route("/customer_list")
        def customer_list():
            u = self.users[self.user]
            n = count("select count(*) from customer where owner_id = :u", u)
            rows = q("select id, name from customer where owner_id = :u order by name limit 20", u=u)
            return render_template_string(table, rows=rows, n=n, options=None)

        def record(options: bool):
            u = self.users[self.user]
            rows = q("select o.id, o.number, o.order_date, c.name, o.amount, o.status from sales_order o "
                     "join customer c on c.id = o.customer_id where o.id = :i and o.owner_id = :u",
                     i=self.order_id, u=u)
            opts = q("select id, name from customer where owner_id = :u order by name", u=u) if options else None
            return render_template_string(table, rows=rows, n=1, options=opts)

        @app.route("/order_record")
        def order_record():
            return record(False)

        @app.route("/order_edit")
        def order_edit():
            return record(True)

        @app.route("/api_order_list")
        def api_order_list():
            u = self.users[self.user]
            n = count("select count(*) from sales_order where owner_id = :u", u)
            rows = q(self.LIST, u=u, k=20)
            return jsonify(count=n, ids=[r[0] for r in rows],
                           result=[{"number": r[1], "order_date": r[2].isoformat() if hasattr(r[2], "isoformat")
                                    else r[2], "customer": {"name": r[3]}, "amount": float(r[4]),
                                    "status": r[5]} for r in rows])

        self.client = app.test_client()

    def _count(self, *args, **kwargs):
        self.statements += 1

    def first_order(self, user: str) -> int:
        from sqlalchemy import text

        return self.conn.execute(text(self.LIST), {"u": self.users[user], "k": 1}).scalar()

    def time(self, user: str, page: str, n: int, order_id: int | None) -> dict:
        self.user, self.order_id = user, order_id
        times = []
        for _ in range(n):
            self.statements = 0
            t = time.perf_counter()
            resp = self.client.get("/" + page)
            body = resp.get_data()
            times.append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200, (page, resp.status_code)
        return {"ms": times, "sql": self.statements, "bytes": len(body), "rss_mb": _rss_mb()}


def main() -> None:
    kind, url = sys.argv[1], sys.argv[2]
    if kind == "floor":
        side = Floor(url)
    else:
        side = Side(kind, url)
    order_ids: dict[str, int] = {}
    print(json.dumps({"ready": kind, "rss_mb": _rss_mb()}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        if "ids" in req:
            answer = {"id": side.first_order(req["ids"])}
        elif "rss" in req:
            answer = {"rss_mb": _rss_mb()}
        else:
            user = req["user"]
            if user not in order_ids and "{id}" in PAGES.get(kind, {}).get(req["page"], "{id}"):
                order_ids[user] = side.first_order(user)
            answer = side.time(user, req["page"], req["n"], order_ids.get(user))
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
