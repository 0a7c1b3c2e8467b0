"""The inbox: what the portal told the user (``app.notify``), newest first, unread ones marked;
opening an entry marks it read and goes to its record; the user's mail choice. Every change here
is a POST with CSRF; an entry id that is not the user's is a 404, as a missing one."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from .. import notify
from ..models.notifications import MailMode
from ..queries import inbox
from ..security import sessions
from ..security.scope import current_actor

PAGE = 50
TITLE = _l("Inbox")


def unread() -> int:
    """The navbar's badge: the user's unread entries, as the session check read them (no query of
    its own), else counted once for the request."""
    counted = sessions.unread_count()
    if counted is not None:
        return counted
    if "_portal_unread" not in g:
        uid = current_actor().user_id
        g._portal_unread = inbox.unread_count(uid) if uid else 0
    return g._portal_unread


def may(entity: str, verb: str) -> bool:
    """Whether the current user holds ``verb`` on ``entity`` (the navbar's links ask)."""
    return current_actor().may(entity, verb)


def install(app) -> None:
    app.add_template_global(unread, "portal_unread")
    app.add_template_global(may, "portal_may")


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 10_000 else 1


class InboxView(BaseView):
    route_base = "/inbox"
    default_view = "index"

    @expose("/")
    @login_required
    def index(self):
        uid = current_actor().user_id
        unread_only = request.args.get("unread") == "1"
        page = _page()
        rows, total = inbox.entries(uid, (page - 1) * PAGE, PAGE, unread_only)
        pages = max(1, -(-total // PAGE))
        args = {"unread": "1"} if unread_only else {}
        pager = {"page": page, "pages": pages, "total": total,
                 "prev": url_for("InboxView.index", page=page - 1, **args) if page > 1 else None,
                 "next": url_for("InboxView.index", page=page + 1, **args) if page < pages else None}
        return self.render_template("portal/inbox.html", title=TITLE, entries=rows, pager=pager, unread_only=unread_only,
                                    modes=list(MailMode), mode=notify.mail_mode(uid))

    @expose("/<int:entry_id>/open", methods=["POST"])
    @login_required
    def open(self, entry_id):
        uid = current_actor().user_id
        entry = notify.entry_of(uid, entry_id)
        if entry is None:
            abort(404)
        notify.mark_read(uid, [entry_id])
        shown = inbox.described([entry])[0]
        return redirect(shown.url or url_for("InboxView.index"))

    @expose("/<int:entry_id>/read", methods=["POST"])
    @login_required
    def read(self, entry_id):
        uid = current_actor().user_id
        if notify.entry_of(uid, entry_id) is None:
            abort(404)
        notify.mark_read(uid, [entry_id])
        return redirect(url_for("InboxView.index"))

    @expose("/read-all", methods=["POST"])
    @login_required
    def read_all(self):
        notify.mark_read(current_actor().user_id)
        return redirect(url_for("InboxView.index"))

    @expose("/mail", methods=["POST"])
    @login_required
    def mail(self):
        raw = request.form.get("mode", "")
        if raw not in MailMode.__members__:
            flash(str(_l("Not a valid value.")), "danger")
            return redirect(url_for("InboxView.index")), 303
        notify.set_mail_mode(current_actor().user_id, MailMode[raw],
                             session.get("locale") or self.appbuilder.get_app.config["BABEL_DEFAULT_LOCALE"])
        flash(str(_l("Your choice was saved.")), "success")
        return redirect(url_for("InboxView.index"))
