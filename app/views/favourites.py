"""Saving and deleting a list as a favourite (``app.favourites``), from the list page: POSTs with
CSRF, back to the list."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from .. import favourites
from ..registry import BY_NAME
from ..security.redirects import local_target
from ..security.scope import current_actor
from ..validation import ValidationFailure


def _entity_or_404(name: str):
    entity = BY_NAME.get(name)
    if entity is None or not current_actor().may(entity.name, "read"):
        abort(404)
    return entity


class FavouritesView(BaseView):
    route_base = "/favourites"
    default_view = "save"

    @expose("/<string:entity>/save", methods=["POST"])
    @login_required
    def save(self, entity):
        entity = _entity_or_404(entity)
        query = request.form.get("query", "")
        try:
            favourites.save(entity.name, request.form.get("name", ""), query, request.form.get("share") == "1")
        except ValidationFailure as exc:
            flash("; ".join(str(v) for v in exc.errors.values()), "danger")
        else:
            flash(str(_l("Saved as a favourite.")), "success")
        target = url_for(f"{entity.name}View.list")
        kept = favourites.kept_query(query)
        return redirect(f"{target}?{kept}" if kept else target)

    @expose("/<int:filter_id>/delete", methods=["POST"])
    @login_required
    def delete(self, filter_id):
        if not favourites.delete(filter_id):
            abort(404)
        flash(str(_l("Favourite deleted.")), "success")
        return redirect(local_target(request.referrer) or url_for("PortalIndexView.index"))
