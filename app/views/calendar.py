"""The calendar: a month (weeks from Monday, as calendars in China are laid out, with ISO week
numbers) or a week of the reader's events (``queries.calendar``), for themself, one employee of
their team, or the whole team for those whose scope reaches it. Drawn on the server: no script,
nothing from the internet."""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_skeleton, get_day_names
from flask import request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from ..clock import today
from ..display import record_url
from ..queries import calendar
from ..registry import YEARS
from ..security.scope import current_actor

TITLE = _l("Calendar")
KINDS = {"visit": _l("Visit"), "return_visit": _l("Return visit due"), "activity": _l("Activity"),
         "promise": _l("Promised payment"), "leave": _l("Leave"), "training": _l("Training")}
PER_DAY = 6  # events shown in a month's day cell; the week view shows all


def _day_arg() -> date:
    """The day asked for, within the years the portal keeps (``YEARS``), else today."""
    try:
        day = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        return today()
    return day if YEARS[0] <= day.year <= YEARS[1] else today()


def _who(actor):
    """(the chosen value, the employees it means, the choices): "me", "team", or an employee id of
    the team; only "me" for a reader whose visits and activities are their own."""
    choices = [("me", _l("Me"))]
    wide = actor.scope("Activity", "read") in ("team", "all") or actor.scope("Visit", "read") in ("team", "all")
    team = actor.team_employee_ids if wide else frozenset()
    if wide and team:
        choices.append(("team", _l("My team")))
        choices += [(str(e.id), e.display_name) for e in calendar.people(team) if e.id != actor.employee_id]
    raw = request.args.get("who", "me")
    if raw == "team" and len(choices) > 1:
        return raw, team, choices
    if raw.isascii() and raw.isdigit() and any(value == raw for value, _ in choices):
        return raw, frozenset({int(raw)}), choices
    return "me", frozenset({actor.employee_id}) if actor.employee_id else frozenset(), choices


class CalendarView(BaseView):
    route_base = "/calendar"
    default_view = "index"

    @expose("/")
    @login_required
    def index(self):
        actor = current_actor()
        view = "week" if request.args.get("view") == "week" else "month"
        day = _day_arg()
        who, employees, choices = _who(actor)
        locale = str(get_locale() or "zh")
        if view == "week":
            start = day - timedelta(days=day.weekday())
            end = start + timedelta(days=6)
            heading = str(_l("Week %(week)s, %(year)s", week=start.isocalendar()[1], year=start.isocalendar()[0]))
            prev, nxt = start - timedelta(days=7), start + timedelta(days=7)
        else:
            first = day.replace(day=1)
            start = first - timedelta(days=first.weekday())
            following = (first + timedelta(days=32)).replace(day=1)
            end = following - timedelta(days=1)
            end += timedelta(days=6 - end.weekday())
            heading = format_skeleton("yMMMM", first, locale=locale)
            prev, nxt = (first - timedelta(days=1)).replace(day=1), following
        by_day: dict[date, list] = {}
        for e in calendar.events(start, end, employees):
            d = max(e.start, start)
            while d <= min(e.end, end):
                by_day.setdefault(d, []).append({"kind": e.kind, "kind_label": KINDS[e.kind], "label": e.label,
                                                 "url": record_url(e.entity, e.row_id)})
                d += timedelta(days=1)
        weeks, d = [], start
        while d <= end:
            weeks.append({"number": d.isocalendar()[1],
                          "days": [{"date": d + timedelta(days=i), "events": by_day.get(d + timedelta(days=i), []),
                                    "outside": view == "month" and (d + timedelta(days=i)).month != day.month}
                                   for i in range(7)]})
            d += timedelta(days=7)
        names = get_day_names("abbreviated", locale=locale)

        def link(**kw):
            args = {"view": view, "date": day.isoformat(), "who": who, **kw}
            return url_for("CalendarView.index", **args)

        return self.render_template(
            "portal/calendar.html", title=TITLE, view=view, heading=heading, weeks=weeks,
            day_names=[names[i] for i in range(7)], today=today(), per_day=PER_DAY, who=who, choices=choices,
            prev_url=link(date=prev.isoformat()), next_url=link(date=nxt.isoformat()),
            today_url=link(date=today().isoformat()), month_url=link(view="month"), week_url=link(view="week"),
            kinds=KINDS)
