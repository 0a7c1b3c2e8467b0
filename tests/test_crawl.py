"""Every page a role can reach, read as an attacker would (issue 8, item 1).

Each role's browser starts on its home page and follows every same-site link (GET only; never
logout, the language switch, deletes or actions), a few URLs per URL shape, and reads every body:
no page answers 500, and none carries a password hash, a stored hash of any login, or a token.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urljoin, urlsplit

import pytest

from app.extensions import db
from app.models import User
from app.registry import ENTITIES
from tests.factories import make
from tests.test_api_output import HASH_VALUE

ROLES = ("sales1", "supervisor1", "finance1", "hr1", "admin")
# Links, and the related lists a record page loads when their tabs are opened.
LINK = re.compile(r'(?:href|data-related-url)="([^"#]+)"')
SKIP = re.compile(r"/logout|/lang|/language/|/delete/|/action|/static/|/swagger|/api/|javascript:")
PER_SHAPE = 2  # URLs per shape: a list and one sorted, filtered or paged variant of it, ...
MAX_PAGES = 600
JWT = re.compile(r"eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.")


@pytest.fixture(scope="module")
def data(app):
    """A row of every entity for a salesperson of each team, so every list and record page has
    something to show."""
    from tests.conftest import employee

    with app.app_context():
        for entity in ENTITIES:
            for owner in ("sales1", "sales2"):
                emp = employee(owner)
                make(entity.model, emp, **({"team_id": emp.team_id} if entity.name == "Employee" else {}))
        return [u.password for u in db.session.query(User) if u.password]


def _shape(parts) -> str:
    """A URL's shape: its path with numbers as N (/customerview/show/N); arguments aside."""
    return re.sub(r"\d+", "N", parts.path)


def crawl(client, start="/", max_pages=MAX_PAGES, per_shape=PER_SHAPE, shapes=None):
    """Every page reachable from ``start`` by same-site links (GET only, nothing in ``SKIP``, at
    most ``per_shape`` URLs per shape, counted in ``shapes``, which callers may share between
    crawls): yields (url, response) for each page visited."""
    shapes = Counter() if shapes is None else shapes
    queue, seen, visited = deque([start]), {start}, 0
    while queue and visited < max_pages:
        url = queue.popleft()
        resp = client.get(url)
        visited += 1
        yield url, resp
        if resp.status_code != 200 or not resp.mimetype.startswith("text/"):
            continue
        for href in LINK.findall(resp.get_data(as_text=True)):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc and parts.netloc != "localhost":
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if SKIP.search(path) or path in seen:
                continue
            shape = _shape(parts)
            if shapes[shape] >= per_shape:
                continue
            shapes[shape] += 1
            seen.add(path)
            queue.append(path)


@pytest.mark.parametrize("username", ROLES)
def test_every_reachable_page_answers_and_holds_no_credential(browsers, data, username):
    client = browsers(username).client
    hashes = data
    visited = 0
    for url, resp in crawl(client):
        visited += 1
        assert resp.status_code < 500, (username, url, resp.status_code)
        if resp.status_code != 200 or not resp.mimetype.startswith("text/"):
            continue
        body = resp.get_data(as_text=True)
        assert not HASH_VALUE.search(body), (username, url)
        assert not JWT.search(body), (username, url)
        assert not any(h in body for h in hashes), (username, url)
    assert visited > 20, (username, visited)  # the crawl really went through the portal
