"""A record's related lists, loaded when their tab is opened (issue 11).

FAB builds every related list of a record while building its record page and edit form: a count,
a page query and a full list widget for each tab, whether or not the user opens it (two thirds of
an order's record page, which has five). Here the page holds, for each related list the user may
read, an empty pane naming the list's own URL (``/<view>/related/<pk>/<list>/<show|edit>``). The
page's script (``static/js/related-lists.js``) asks for it the first time its tab is shown, with
the page's own arguments (each list's page, page size and sort: ``page_<List>`` …), and the answer
is FAB's list widget for it, built as before. Its links to other pages and sorts are the record
page's, as FAB would have made them on that page, so that moving through a list reloads the
record page on the same tab (FAB's ``ab_keep_tab.js``), as it always did.
"""

from __future__ import annotations

from flask import g, render_template
from markupsafe import Markup, escape

# FAB's template filters that link a list to another page, size or sort of itself: they link to
# the request's own endpoint, which for a pane is the pane's URL, not the record page's.
LIST_LINK_FILTERS = ("link_order", "link_page", "link_page_size")
PAGES = ("show", "edit")
_PANE_KEY = "_portal_blank_pane"  # g: a pane's markup with _URL for its URL
_URL = "__related_url__"


class RelatedPane:
    """What FAB's show and edit templates call for each related list (``widgets.related_views``):
    the pane, empty until its tab is shown."""

    def __init__(self, url: str):
        self.url = url

    def __call__(self, **_) -> Markup:
        # Rendered once per request and page (a record page has up to five panes alike but for
        # their URL): each render ran every context processor again.
        blank = g.get(_PANE_KEY)
        if blank is None:
            blank = render_template("portal/widgets/related_pane.html", url=_URL)
            setattr(g, _PANE_KEY, blank)
        return Markup(blank.replace(_URL, str(escape(self.url)), 1))


def links_to_record_page(url: str) -> None:
    """The pane being answered belongs to the record page at ``url``: its list links go there."""
    g.related_record_page = url


def _on_record_page(link):
    def filter_(*args):
        url = link(*args)
        page = g.get("related_record_page")
        if page is None:
            return url
        query = url.find("?")
        return page if query < 0 else page + url[query:]

    return filter_


def install(app) -> None:
    """Wrap FAB's list link filters (after ``appbuilder.init_app`` has registered them)."""
    for name in LIST_LINK_FILTERS:
        app.jinja_env.filters[name] = _on_record_page(app.jinja_env.filters[name])
