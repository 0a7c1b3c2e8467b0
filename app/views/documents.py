"""From one document to the next through the UI and the API (issue 13, item 1; ``app.documents``).

An accepted quotation's record page offers "Make contract", a signed contract's "Make order" (with
what is left of each product, to order all of it or part) to users who may write that customer's
contracts or orders. The page shows what will be made; its form posts (CSRF) and the new document
opens. ``POST /api/v1/documents/quotation/<pk>/contract`` and ``…/contract/<pk>/order`` (JWT, body
``{"quantities": {"<product id>": qty}}`` optional) do the same. The source is read through the
user's read scope (404 when out of sight).
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from .. import locks, printing
from .. import models as m
from ..documents import ORDERABLE, ConversionError, contract_from, order_from, parse_quantities
from ..extensions import db
from ..models.customers import QuotationStatus
from ..queries.documents import remaining
from ..registry import BY_NAME
from ..security.scope import ScopeError, scoped
from ..validation import ValidationFailure, int_limit
from .api_contract import MSG_NOT_JSON, JwtApi, TranslatedResponses

MAKE_CONTRACT = _l("Make contract")
MAKE_ORDER = _l("Make order")


def _source(entity_name: str, model, pk: int):
    if not 0 < pk < int_limit(model.id.type):
        abort(404)
    row = scoped(entity_name).filter(model.id == pk).one_or_none()
    if row is None:
        abort(404)
    return row


def _make(build):
    """Run a conversion and commit: (document, None) or (None, (status, message, field errors))."""
    try:
        document = build()
        locks.commit()
        return document, None
    except ConversionError as exc:
        refusal = (exc.status, str(exc.args[0]), {})
    except ValidationFailure as exc:
        refusal = (422, str(_l("Check the marked fields.")), exc.errors)
    except ScopeError as exc:
        refusal = (403, str(exc), {})
    except locks.Conflict as exc:
        refusal = (409, str(exc), {})
    db.session.rollback()
    return None, refusal


class DocumentsView(BaseView):
    route_base = "/documents"
    default_view = "contract"

    @expose("/quotation/<int:pk>/contract", methods=["GET", "POST"])
    @login_required
    def contract(self, pk):
        q = _source("Quotation", m.Quotation, pk)
        back = url_for("QuotationView.show", pk=pk)
        error, errors, status = None, {}, 200
        if request.method == "POST":
            made, refused = _make(lambda: contract_from(q))
            if made is not None:
                flash(str(_l("Contract %(number)s made from the quotation; it is a draft.",
                             number=made.number)), "success")
                return redirect(url_for("ContractView.show", pk=made.id))
            status, error, errors = refused
            q = db.session.get(m.Quotation, pk)
        return self.render_template("portal/make_document.html", title=MAKE_CONTRACT, source=q,
                                    lines=q.lines, rows=None, back=back, error=error, errors=errors,
                                    submit=MAKE_CONTRACT), status

    @expose("/contract/<int:pk>/order", methods=["GET", "POST"])
    @login_required
    def order(self, pk):
        c = _source("Contract", m.Contract, pk)
        back = url_for("ContractView.show", pk=pk)
        error, errors, status = None, {}, 200
        if request.method == "POST":
            made, refused = _make(lambda: order_from(c, parse_quantities(c, request.form)))
            if made is not None:
                flash(str(_l("Order %(number)s made from the contract.", number=made.number)), "success")
                return redirect(url_for("SalesOrderView.show", pk=made.id))
            status, error, errors = refused
            c = db.session.get(m.Contract, pk)
        return self.render_template("portal/make_document.html", title=MAKE_ORDER, source=c,
                                    lines=None, rows=remaining(c), back=back, error=error,
                                    errors=errors, values=request.form, submit=MAKE_ORDER), status


def _printed(name: str, pk: int) -> Response:
    """The PDF of document ``name`` of record ``pk`` (read through the user's scope; 404 when out
    of sight or when the record has no such document now), in ``?lang=`` or the user's language."""
    doc = printing.DOCUMENTS.get(name)
    if doc is None:
        abort(404)
    row = _source(doc.entity, BY_NAME[doc.entity].model, pk)
    if not doc.applies(row):
        abort(404)
    lang = request.args.get("lang") or str(get_locale() or "zh")
    if lang not in printing.LANGUAGES:
        abort(404)
    body = printing.pdf(name, row, lang)
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{printing.filename(name, row)}"',
        "Cache-Control": "private, no-store"})


class PrintView(BaseView):
    """``/documents/print/<document>/<pk>``, and the record pages' links to it."""

    route_base = "/documents/print"
    default_view = "document"
    record_entities = tuple(sorted({d.entity for d in printing.DOCUMENTS.values()}))

    @classmethod
    def record_link(cls, item, actor):
        return [(doc.title, url_for(f"{cls.__name__}.document", name=name, pk=item.id), f"print-{name}")
                for name, doc in printing.DOCUMENTS.items()
                if doc.entity == type(item).__name__ and doc.applies(item)]

    @expose("/<string:name>/<int:pk>")
    @login_required
    def document(self, name, pk):
        return _printed(name, pk)


class ContractFromQuotation(BaseView):
    """The link on an accepted quotation's record page (``record_entity``)."""

    route_base = "/documents/links/quotation"
    record_entity = "Quotation"

    @classmethod
    def record_link(cls, item, actor):
        if item.status is QuotationStatus.accepted and actor.reaches("Contract", "write", item.customer.owner_id):
            return MAKE_CONTRACT, url_for("DocumentsView.contract", pk=item.id), "make-contract"
        return None


class OrderFromContract(BaseView):
    """The link on a signed contract's record page (``record_entity``)."""

    route_base = "/documents/links/contract"
    record_entity = "Contract"

    @classmethod
    def record_link(cls, item, actor):
        if item.status in ORDERABLE and actor.reaches("SalesOrder", "write", item.customer.owner_id):
            return MAKE_ORDER, url_for("DocumentsView.order", pk=item.id), "make-order"
        return None


_PK = {"in": "path", "name": "pk", "required": True, "schema": {"type": "integer"}}


class DocumentsApi(JwtApi, TranslatedResponses, BaseApi):
    resource_name = "documents"
    openapi_spec_tag = "Documents"
    openapi_spec_methods = {
        "make_contract": {"post": {"parameters": [_PK]}},
        "make_order": {"post": {"parameters": [_PK]}},
    }

    def _answer(self, build):
        made, refused = _make(build)
        if made is None:
            status, message, errors = refused
            return self.response(status, message=errors or message)
        return self.response(201, id=made.id, number=made.number)

    @expose("/print/<string:name>/<int:pk>", methods=["GET"])
    def print_document(self, name, pk):
        """A document as PDF: ``quotation``, ``contract``, ``notice`` (a receivable's settlement
        notice) or ``dunning`` (its dunning letter, while overdue); ``?lang=zh|en``.
        ---
        get:
          summary: A quotation, contract, settlement notice or dunning letter as PDF
          security:
          - jwt: []
          parameters:
          - in: path
            name: name
            required: true
            schema: {type: string, enum: [quotation, contract, notice, dunning]}
          - in: path
            name: pk
            required: true
            schema: {type: integer}
          - in: query
            name: lang
            schema: {type: string, enum: [zh, en]}
          responses:
            200:
              description: The PDF
              content:
                application/pdf:
                  schema: {type: string, format: binary}
        """
        denied = self._auth()
        if denied:
            return denied
        return _printed(name, pk)

    @expose("/quotation/<int:pk>/contract", methods=["POST"])
    def make_contract(self, pk):
        """The contract of an accepted quotation.
        ---
        post:
          summary: Make the contract of an accepted quotation (a draft with its lines)
          security:
          - jwt: []
          responses:
            201:
              description: The document made, with its number
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id: {type: integer}
                      number: {type: string}
        """
        denied = self._auth()
        if denied:
            return denied
        q = _source("Quotation", m.Quotation, pk)
        return self._answer(lambda: contract_from(q))

    @expose("/contract/<int:pk>/order", methods=["POST"])
    def make_order(self, pk):
        """An order on a signed contract: what is left of it, or ``quantities`` by product id.
        ---
        post:
          summary: Make an order on a signed contract (all that is left, or part of it)
          security:
          - jwt: []
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    quantities:
                      type: object
                      description: The quantity to order by product id; all that is left when absent
                      additionalProperties: {type: string}
          responses:
            201:
              description: The document made, with its number
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id: {type: integer}
                      number: {type: string}
        """
        denied = self._auth()
        if denied:
            return denied
        c = _source("Contract", m.Contract, pk)
        data = request.get_json(silent=True) if request.get_data() else {}
        if not isinstance(data, dict) or not isinstance(data.get("quantities", {}), dict):
            return self.response_400(message=str(MSG_NOT_JSON))
        wanted = data.get("quantities")

        def build():
            quantities = None if wanted is None else parse_quantities(
                c, {f"qty-{k}": v for k, v in wanted.items()})
            return order_from(c, quantities)
        return self._answer(build)

