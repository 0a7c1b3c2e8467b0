"""No N+1: a list page's number of SQL queries does not grow with its page size.

Every entity gets more rows than the largest page (so both pages are full and both count their
rows); the HTML list and the API list are then fetched with a small and a large page size and
the queries counted on the engine.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app import models as m
from app.extensions import db
from app.registry import ENTITIES
from tests.conftest import employee, related_panes
from tests.factories import make

SMALL, LARGE = 3, 30


@pytest.fixture(scope="module")
def many_rows(app):
    with app.app_context():
        owner = employee("sales1")
        for entity in ENTITIES:
            for _ in range(LARGE + 1):
                make(entity.model, owner, commit=False)
        db.session.commit()


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _inc(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._inc)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._inc)


def _count(app, fetch) -> int:
    with app.app_context():
        engine = db.engine
    with QueryCounter(engine) as qc:
        resp = fetch()
        assert resp.status_code == 200
    return qc.count


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.name)
def test_list_queries_do_not_grow_with_page_size(app, browsers, apis, many_rows, entity):
    ui, api = browsers("admin"), apis("admin")
    base = f"/{entity.name.lower()}view/list/"
    arg = f"psize_{entity.name}View"
    ui.get(base)  # the first request after a change of the access grid reads the roles' rights
    html_small = _count(app, lambda: ui.get(f"{base}?{arg}={SMALL}"))
    html_large = _count(app, lambda: ui.get(f"{base}?{arg}={LARGE}"))
    assert html_large == html_small, (html_small, html_large)

    url = f"/api/v1/{entity.name.lower()}/"
    assert api.headers  # renewed here if due (every ten minutes): a sign-in is not the list's queries
    api_small = _count(app, lambda: api.get(f"{url}?q=(page_size:{SMALL})"))
    resp = api.get(f"{url}?q=(page_size:{LARGE})")
    assert len(resp.json["result"]) == LARGE  # the large page really is large
    api_large = _count(app, lambda: api.get(f"{url}?q=(page_size:{LARGE})"))
    assert api_large == api_small, (api_small, api_large)


def _set_export_limit(app, rows: int) -> None:
    from app.models import PolicyKey, PolicySetting

    with app.app_context():
        setting = db.session.query(PolicySetting).filter_by(key=PolicyKey.export_max_rows).one_or_none()
        if setting is None:
            db.session.add(PolicySetting(key=PolicyKey.export_max_rows, value=str(rows)))
        else:
            setting.value = str(rows)
        db.session.commit()


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.name)
def test_export_queries_do_not_grow_with_rows(app, browsers, many_rows, entity):
    """The XLSX export of a list loads what its columns show in a fixed number of statements,
    however many rows it writes (the row limit set to a few, then to many)."""
    ui = browsers("admin")
    url = f"/{entity.name.lower()}view/export.xlsx"
    _set_export_limit(app, SMALL)
    small = _count(app, lambda: ui.get(url))
    _set_export_limit(app, LARGE)
    large = _count(app, lambda: ui.get(url))
    assert large == small, (small, large)


def test_a_first_page_that_is_not_full_counts_no_rows(app, browsers, many_rows):
    """A list whose first page holds all its rows (the related lists of a record page, mostly)
    knows its count without a count statement."""
    with app.app_context():
        make(m.Customer, employee("sales1"), code="ONE-ROW")
    statements = []

    def keep(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        full = browsers("admin").get(f"/customerview/list/?psize_CustomerView={SMALL}")
        found = browsers("admin").get(f"/customerview/list/?_flt_0_code=ONE-ROW&psize_CustomerView={SMALL}")
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert full.status_code == found.status_code == 200
    assert found.get_data(as_text=True).count("ONE-ROW") >= 1
    counts = [s for s in statements if s.lstrip().startswith("SELECT count(*)")
              and "FROM (SELECT customer." in " ".join(s.split())]
    assert len(counts) == 1  # the full first page only


def _child_relation(child, parent) -> str | None:
    """The name of ``child``'s reference to ``parent`` (what the record page's related list
    filters on), or None."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import RelationshipDirection

    for rel in inspect(child).relationships:
        if rel.direction is RelationshipDirection.MANYTOONE and rel.mapper.class_ is parent:
            return rel.key
    return None


@pytest.mark.parametrize("entity", [e for e in ENTITIES if e.related], ids=lambda e: e.name)
def test_record_page_queries_do_not_grow_with_related_rows(app, browsers, apis, entity):
    """A record page and edit form, each of their related lists (asked when its tab is opened)
    and the record in the API run as many statements for a record with one row in each related
    list as for one with three: each related list is one query, its rows' references come with
    it."""
    from app.registry import BY_NAME

    with app.app_context():
        # The related rows of one record belong to different people (a cycle's targets, an
        # item's enrolments are one per person).
        owners = [employee(name) for name in ("sales1", "sales2", "supervisor1")]
        owner = owners[0]
        extra = {"team_id": owner.team_id} if entity.name == "Employee" else {}
        parents = [make(entity.model, owner, commit=False, **extra) for _ in range(2)]
        db.session.flush()
        for parent, n in zip(parents, (1, 3), strict=True):
            for child_name in entity.related:
                child = BY_NAME[child_name].model
                rel = _child_relation(child, entity.model)
                if rel is None:
                    continue
                for someone in owners[:n]:
                    # Saved one by one: each related row gets references of its own (the
                    # factories share a reference within one unsaved batch), so that a
                    # reference loaded row by row would show.
                    make(child, someone, **{rel: parent})
        db.session.commit()
        ids = [p.id for p in parents]
        db.session.expunge_all()  # the pages load what they show themselves
    ui, api = browsers("admin"), apis("admin")
    for kind in ("show", "edit"):
        base = f"/{entity.name.lower()}view/{kind}/"
        page = [_count(app, lambda url=f"{base}{pk}": ui.get(url)) for pk in ids]
        assert page[0] == page[1], (kind, page)
        # Each related list, asked when its tab is opened: as many statements for three rows as for one.
        panes = [related_panes(ui.get(f"{base}{pk}").get_data(as_text=True)) for pk in ids]
        assert len(panes[0]) == len([c for c in entity.related if c != entity.name]), panes[0]
        for one, three in zip(*panes, strict=True):
            counts = [_count(app, lambda url=url: ui.get(url)) for url in (one, three)]
            assert counts[0] == counts[1], (one, counts)
    assert api.headers  # renewed here if due: a sign-in is not the record's queries
    url = f"/api/v1/{entity.name.lower()}/"
    record = [_count(app, lambda pk=pk: api.get(f"{url}{pk}")) for pk in ids]
    assert record[0] == record[1], record
