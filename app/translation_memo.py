"""Each string translated once per request (issue 11: a list page asked flask-babel ~400 times).

flask-babel finds the request's translations anew for every string it translates: the request's
babel namespace through three ``flask.g`` proxies, the locale through three more, the catalog
cache under ``str(locale)``. A page's ``lazy_gettext`` labels and ``{{ _() }}`` calls then cost
more than the rest of its rendering. Here the catalog and each translated string are kept in that
namespace, for as long as its locale object stays the same: ``flask_babel.refresh()`` (the
language switch) and ``force_locale`` (the daily job's mail) put a new locale there, and with it a
fresh memo.
"""

from __future__ import annotations

# The context variable Flask keeps the application context in (``flask.g`` is a proxy to its
# ``g``): read directly, since a proxy lookup per string is what this module saves (Flask 3.1).
from flask.globals import _cv_app
from flask_babel import Domain, get_babel, get_domain, get_translations


def _memo():
    """(locale, translations, {msgid: text}) of the current request, or None before flask-babel
    has chosen its locale (or outside an application context)."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return None
    ns = app_ctx.g.__dict__.get("_flask_babel")
    locale = getattr(ns, "babel_locale", None)
    if locale is None:
        return None
    memo = ns.__dict__.get("portal_memo")
    if memo is None or memo[0] is not locale:
        # The catalog as flask-babel finds it (Domain's own lookup: this module's is the memo).
        memo = ns.portal_memo = (locale, Domain.get_translations(get_domain()), {})
    return memo


def gettext(string: str) -> str:
    memo = _memo()
    if memo is None:
        return get_translations().ugettext(string)
    text = memo[2].get(string)
    if text is None:
        text = memo[2][string] = memo[1].ugettext(string)
    return text


class MemoDomain(Domain):
    """flask-babel's default domain (``lazy_gettext`` and ``gettext`` go through it), with the
    request's memo."""

    def gettext(self, string, **variables):
        text = gettext(string)
        return text % variables if variables else text

    def get_translations(self):
        memo = _memo()
        return super().get_translations() if memo is None else memo[1]


def install(app) -> None:
    """Put the memo behind flask-babel's default domain and the templates' ``_()``."""
    with app.app_context():
        babel = get_babel(app).instance
        babel.domain_instance = MemoDomain(domain=babel.domain)
    app.jinja_env.install_gettext_callables(
        gettext=gettext,
        # The rarer forms through flask-babel, whose default domain is now the memo's.
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: get_translations().unpgettext(c, s, p, n),
    )
