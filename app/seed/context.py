"""What the demo's builders share: the context they fill while the factory is assembled in memory,
and small helpers (money, random dates and weighted choices, working days, quarters, numbering)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ..models import ConductViolation, Customer, Employee, Product, SalesOrder, Shipment, Team
from ..models.orders import OrderStatus
from .data.people import MARKER_NUMBER

RANDOM_SEED = 20261127
CENT = Decimal("0.01")


@dataclass
class Ctx:
    """What the builders share while the demo is assembled in memory."""

    rng: random.Random
    today: date
    emp: dict[str, Employee] = field(default_factory=dict)  # by number
    teams: list[Team] = field(default_factory=list)
    team_sales: list[list[Employee]] = field(default_factory=list)
    sales: list[Employee] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    product_by_code: dict[str, Product] = field(default_factory=dict)
    customers: list[Customer] = field(default_factory=list)
    cust_info: dict[int, dict] = field(default_factory=dict)  # id(customer) -> facts
    orders: list[SalesOrder] = field(default_factory=list)
    shipments: dict[int, Shipment] = field(default_factory=dict)  # id(order) -> its shipment
    team_of: dict[str, int] = field(default_factory=dict)  # salesperson number -> team index
    violations: dict[str, ConductViolation] = field(default_factory=dict)
    # In-progress orders placed on purpose so that every order step is shown (days ago, step).
    fresh_orders: list[tuple[int, OrderStatus]] = field(default_factory=lambda: [
        (0, OrderStatus.received), (1, OrderStatus.credit_review), (2, OrderStatus.under_review),
        (5, OrderStatus.scheduled),
        (8, OrderStatus.purchasing), (12, OrderStatus.shipped), (29, OrderStatus.in_production)])
    new: list = field(default_factory=list)  # every object to add
    marks: set = field(default_factory=set)  # one-off choices already made

    def add(self, *objs):
        self.new.extend(objs)
        return objs[0] if len(objs) == 1 else objs

    def supervisor_of(self, e: Employee) -> Employee:
        idx = self.team_of.get(e.number)
        return self.teams[idx].supervisor if idx is not None else self.emp[MARKER_NUMBER]


# --- Small helpers ---------------------------------------------------------------------------


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def round_to(value: Decimal, step: int) -> Decimal:
    return money((Decimal(value) / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step)


def between(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute), tzinfo=UTC)


def weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights, k=1)[0]


def satisfaction(rng: random.Random) -> int:
    return weighted(rng, ((1, 3), (2, 6), (3, 18), (4, 42), (5, 31)))


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def workdays_back(today: date, count: int) -> list[date]:
    """The ``count`` working days (Mon–Fri) before today, oldest first."""
    out, d = [], today - timedelta(days=1)
    while len(out) < count:
        if d.weekday() < 5:
            out.append(d)
        d -= timedelta(days=1)
    return out[::-1]


def count_workdays(start: date, end: date) -> int:
    return sum(1 for i in range((end - start).days + 1) if (start + timedelta(days=i)).weekday() < 5)


def next_workday(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def quarter_bounds(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, end - timedelta(days=1)


def assign_numbers(objs, prefix: str, when, width: int = 4) -> None:
    """Number rows per year in date order: ``SO20250001``. Rows of the same day keep the order
    they were made in (``sorted`` is stable): a tie broken by ``id()``, a memory address, numbered
    them differently on every run."""
    counters: dict[int, int] = defaultdict(int)
    for obj in sorted(objs, key=when):
        year = when(obj).year
        counters[year] += 1
        obj.number = f"{prefix}{year}{counters[year]:0{width}d}"
