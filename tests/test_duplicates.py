"""A new customer that looks like one the factory has (issue 13, item 8): same name, tax ID or
phone. The add form warns and keeps the input until the user ticks "save anyway"; a match the user
may read is named with its owner, another salesperson's only said to exist."""

from __future__ import annotations

from app.models import Contact, Customer
from tests.conftest import employee
from tests.factories import count, make


def form(owner_id, **values):
    return {"code": "", "name": "新客户", "tax_id": "", "phone": "", "industry": "", "region": "", "address": "",
            "credit_limit": "0", "payment_terms_days": "30", "owner": owner_id, **values}


def test_a_name_taken_in_the_team_is_shown_with_its_owner(app, browsers):
    with app.app_context():
        mine = make(Customer, employee("sales3"), name="佛山恒达机电")
        code, owner_name, me = mine.code, employee("sales3").display_name, employee("sales1").id
    sales = browsers("supervisor1")  # reads the team's customers
    resp = sales.post("/customerview/add", data=form(me, name=" 佛山恒达机电 "))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and code in html and owner_name in html
    assert count(app, Customer, Customer.name.like("%佛山恒达机电%")) == 1
    again = sales.post("/customerview/add", data=form(me, name="佛山恒达机电", confirm_duplicate="y"))
    assert again.status_code == 302
    assert count(app, Customer, Customer.name == "佛山恒达机电") == 2


def test_another_salespersons_customer_is_only_said_to_exist(app, browsers):
    with app.app_context():
        theirs = make(Customer, employee("sales2"), name="东莞精密五金", tax_id="91440300MA5FXXXX1X", phone="0769-8888123")
        code, owner_name, me = theirs.code, employee("sales2").display_name, employee("sales1").id
    for values in ({"name": "东莞精密五金"}, {"name": "别名公司", "tax_id": "91440300ma5fxxxx1x"},
                   {"name": "别名公司二", "phone": "0769-8888123"}):
        resp = browsers("sales1").post("/customerview/add", data=form(me, **values))
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and 'name="confirm_duplicate"' in html, values
        assert code not in html and owner_name not in html, values  # nothing of theirs but what was typed
        if values["name"] != "东莞精密五金":
            assert "东莞精密五金" not in html
        assert count(app, Customer, Customer.name == values["name"], Customer.owner_id == me) == 0


def test_a_contacts_phone_matches_too(app, browsers):
    with app.app_context():
        c = make(Customer, employee("sales1"))
        make(Contact, employee("sales1"), customer=c, phone="13800138000")
        me, code = employee("sales1").id, c.code
    resp = browsers("sales1").post("/customerview/add", data=form(me, name="另一家", phone="13800138000"))
    assert resp.status_code == 200 and code in resp.get_data(as_text=True)


def test_a_customer_like_none_is_saved_at_once(app, browsers):
    with app.app_context():
        me = employee("sales1").id
    resp = browsers("sales1").post("/customerview/add", data=form(me, name="全新的客户名称", tax_id="X1", phone="12"))
    assert resp.status_code == 302
    assert count(app, Customer, Customer.name == "全新的客户名称") == 1
