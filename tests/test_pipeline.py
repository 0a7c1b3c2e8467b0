"""The pipeline board (3.1): scoped cards by stage; a card moved takes the workflow step, and what
the engine refuses leaves it where it was with the reason; filters by owner."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import ChangeLog, Customer
from app.models.customers import Stage
from tests.conftest import employee
from tests.factories import make


def stage(app, pk) -> str:
    with app.app_context():
        db.session.expire_all()
        return db.session.get(Customer, pk).stage.name


def transitions(app, pk) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ChangeLog).where(
            ChangeLog.entity == "Customer", ChangeLog.row_id == pk, ChangeLog.action == "transition"))


def card_stages(html) -> dict[str, str]:
    return dict(re.findall(r'class="pipeline-card panel panel-default" data-pk="(\d+)" data-stage="(\w+)"', html))


def move(client, pk, step, **fields):
    return client.post(f"/pipeline/{pk}/move", data={"step": step, "next": "/pipeline/", **fields},
                       token_from="/pipeline/", follow_redirects=True)


def test_the_board_shows_the_readers_customers_by_stage(app, login, org):
    with app.app_context():
        mine = make(Customer, employee("sales1"), stage=Stage.needs, name="看板测试客户甲")
        theirs = make(Customer, employee("sales2"), stage=Stage.needs, name="看板测试客户乙")
        ids = mine.id, theirs.id
    page = login("sales1").get("/pipeline/").get_data(as_text=True)
    cards = card_stages(page)
    assert cards.get(str(ids[0])) == "needs" and str(ids[1]) not in cards and "看板测试客户乙" not in page
    assert str(ids[1]) in card_stages(login("supervisor2").get("/pipeline/").get_data(as_text=True))
    # The owner filter: only that owner's cards.
    sup = login("supervisor1").get(f"/pipeline/?owner={org.employees['sales3']}").get_data(as_text=True)
    assert str(ids[0]) not in card_stages(sup)
    assert str(ids[0]) in card_stages(login("supervisor1").get(
        f"/pipeline/?owner={org.employees['sales1']}").get_data(as_text=True))


def test_a_move_takes_the_step_and_a_refused_one_changes_nothing(app, login):
    with app.app_context():
        pk = make(Customer, employee("sales1"), stage=Stage.research).id
        quoted = make(Customer, employee("sales1"), stage=Stage.needs).id
    client = login("sales1")
    resp = move(client, pk, "to_screened")
    assert resp.status_code == 200 and stage(app, pk) == "screened" and transitions(app, pk) == 1
    assert card_stages(resp.get_data(as_text=True)).get(str(pk)) == "screened"
    # 3.1.5: no quotation yet, so the engine refuses "quoted": the card stays, with the reason.
    before = transitions(app, quoted)
    resp = move(client, quoted, "to_quoted")
    body = resp.get_data(as_text=True)
    assert stage(app, quoted) == "needs" and transitions(app, quoted) == before
    assert card_stages(body).get(str(quoted)) == "needs" and "alert-danger" in body and "3.1.5" in body
    # "Lost" needs its reason (asked in the dialog): without it nothing changes.
    move(client, quoted, "lose")
    assert stage(app, quoted) == "needs"
    move(client, quoted, "lose", lost_reason="价格过高")
    assert stage(app, quoted) == "lost"


def test_a_card_out_of_scope_or_without_csrf_does_not_move(app, login):
    with app.app_context():
        theirs = make(Customer, employee("sales2"), stage=Stage.research).id
        mine = make(Customer, employee("sales1"), stage=Stage.research).id
    client = login("sales1")
    resp = move(client, theirs, "to_screened")
    assert resp.status_code == 200 and stage(app, theirs) == "research" and transitions(app, theirs) == 0
    assert client.client.post(f"/pipeline/{mine}/move", data={"step": "to_screened"}).status_code == 400
    assert stage(app, mine) == "research"
    # A step that does not exist, or a bad version, is refused too.
    move(client, mine, "to_contracted")
    move(client, mine, "no_such_step")
    move(client, mine, "to_screened", version="abc")
    assert stage(app, mine) == "research" and transitions(app, mine) == 0
