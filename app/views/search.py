"""The navbar's search page: what ``queries.search`` finds, grouped by entity, each row linked
to its record page."""

from __future__ import annotations

from flask import request
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from ..display import record_url
from ..queries import search
from ..security.scope import current_actor


class SearchView(BaseView):
    route_base = "/search"
    default_view = "index"

    @expose("/")
    @login_required
    def index(self):
        actor = current_actor()
        text = search.clean(request.args.get("q"))
        readable = {e.name for e in search.searched() if actor.may(e.name, "read")}
        found = search.find(text, readable) if text else []
        groups = [{"entity": f.entity, "more": f.more,
                   "rows": [{"label": str(row), "url": record_url(f.entity.name, row.id)} for row in f.rows]}
                  for f in found]
        return self.render_template("portal/search.html", title=_l("Search"), q=text, groups=groups)
