"""A refused save keeps the user's work (issue 9, item 3).

A rule of ``app.rules`` refusing a generated add / edit form answers the form again (422) with
the submitted values in its inputs, the translated message on the field's own error element, its
numbers formatted, and nothing stored; required pickers start blank; the workflow API names a
missing value with the translated message, never the code ``"required"``.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import gettext as app_gettext

from app.models import Customer, ServiceTicket
from tests.conftest import employee
from tests.factories import fresh, make

LOCALES = ["zh", "en"]


# --- workflow API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_workflow_step_missing_field_is_a_translated_message(app, apis, locale):
    with app.app_context():
        pk = make(Customer, employee("sales1")).id
    before = fresh(app, Customer, pk, "stage", "lost_reason", "version")
    resp = apis("sales1").post(f"/api/v1/workflow/customer/{pk}/lose?_l_={locale}", json={})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    with app.test_request_context(), force_locale(locale):
        expected = app_gettext("This field is required.")
    assert resp.json["errors"]["lost_reason"] == expected != "required"
    assert fresh(app, Customer, pk, "stage", "lost_reason", "version") == before


@pytest.mark.parametrize("locale", LOCALES)
def test_workflow_step_missing_comment_is_a_translated_message(app, apis, locale):
    """A step whose comment is required (a ticket the customer says is not resolved)."""
    from app.models.service import TicketStatus

    with app.app_context():
        pk = make(ServiceTicket, employee("sales1"), status=TicketStatus.awaiting_confirmation).id
    resp = apis("sales1").post(f"/api/v1/workflow/serviceticket/{pk}/reopen?_l_={locale}", json={})
    assert resp.status_code == 422, resp.get_data(as_text=True)
    with app.test_request_context(), force_locale(locale):
        expected = app_gettext("This field is required.")
    assert resp.json["errors"]["comment"] == expected != "required"
    assert fresh(app, ServiceTicket, pk, "status")["status"] is TicketStatus.awaiting_confirmation
