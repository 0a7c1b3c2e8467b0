"""Sign-in security for administrators: locked logins (Unlock) and every user's live sessions
("Sign out everywhere"), each a POST with CSRF."""

from __future__ import annotations

from flask import abort, flash, g, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import LoginLock, User
from ..models.logins import SessionEnd
from ..security import sessions, throttle


class LoginSecurityView(BaseView):
    """Locked logins (unlock) and live sessions (sign out everywhere), for administrators."""

    route_base = "/login-security"
    default_view = "index"
    class_permission_name = "LoginSecurity"
    method_permission_name = {"index": "manage", "unlock": "manage", "signout": "manage"}
    menu_label = _l("Sign-in security")

    @expose("/", methods=["GET"])
    @has_access
    def index(self):
        return self.render_template("portal/login_security.html", locks=throttle.active_locks(),
                                    users=sessions.users(), live=sessions.live_counts())

    @expose("/unlock/<int:lock_id>", methods=["POST"])
    @has_access
    def unlock(self, lock_id: int):
        lock = db.session.get(LoginLock, lock_id)
        if lock is None:
            abort(404)
        throttle.unlock(lock, g.user.username)
        db.session.commit()
        flash(str(_l("Login %(login)s unlocked.", login=lock.login)), "success")
        return redirect(url_for(".index"))

    @expose("/signout/<int:user_id>", methods=["POST"])
    @has_access
    def signout(self, user_id: int):
        user = db.session.get(User, user_id)
        if user is None:
            abort(404)
        sessions.revoke_user(user.id, user.username, SessionEnd.signout)
        db.session.commit()
        flash(str(_l("Every session of %(login)s has ended.", login=user.username)), "success")
        if user.id == g.user.id:
            return redirect(self.appbuilder.get_url_for_login)
        return redirect(url_for(".index"))
