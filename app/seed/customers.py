"""Customers, their contacts and visits."""

from __future__ import annotations

import random
from datetime import date, timedelta

from ..models import Contact, Customer, Visit
from ..models.customers import Stage, VisitKind
from .context import Ctx, money, phone, satisfaction, weighted
from .data.customers import (
    BRAND_WORDS,
    COMPANY_SUFFIXES,
    CONTACT_TITLES,
    DISTRICTS,
    FIRST_CONTACT_DAYS,
    GIVEN,
    INDUSTRIES,
    LOST_REASONS,
    NEXT_ACTIONS,
    ROADS,
    STAGE_WEIGHTS,
    SURNAMES,
    VISIT_SUMMARIES,
)
from .data.people import TEAMS


def person_name(rng: random.Random) -> str:
    """A contact's name: a family name and a given name."""
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def add_customers(ctx: Ctx) -> None:
    """18 customers per salesperson, every stage for every salesperson, then weighted."""
    rng, today = ctx.rng, ctx.today
    names: set[str] = set()
    seq = 0
    stage_order = [s for s, _ in STAGE_WEIGHTS]
    for team_idx, members in enumerate(ctx.team_sales):
        provinces = TEAMS[team_idx][2]
        for sp in members:
            for k in range(18):
                seq += 1
                stage = stage_order[k] if k < len(stage_order) else weighted(rng, STAGE_WEIGHTS)
                province, cities = rng.choice(provinces)
                city = rng.choice(cities)
                industry, part = rng.choice(INDUSTRIES)
                while True:
                    name = f"{city}{rng.choice(BRAND_WORDS)}{part}{rng.choice(COMPANY_SUFFIXES)}"
                    if name not in names:
                        names.add(name)
                        break
                region_prefix = "" if province in ("北京", "天津") else f"{province}省"
                address = (f"{region_prefix}{city}市{rng.choice(DISTRICTS[city])}"
                           f"{rng.choice(ROADS)}{rng.randint(1, 388)}号")
                terms = rng.choice((30, 30, 60, 60, 90))
                cust = ctx.add(Customer(
                    code=f"C{seq:04d}", name=name, industry=industry, region=province,
                    address=address, credit_limit=money(rng.choice((10, 20, 30, 50, 80, 100, 150, 200)) * 10000),
                    payment_terms_days=terms, stage=stage, owner=sp,
                    lost_reason=rng.choice(LOST_REASONS) if stage is Stage.lost else None,
                ))
                contacts = []
                for c in range(rng.randint(1, 3)):
                    cname = person_name(rng)
                    title = rng.choice(CONTACT_TITLES[:3]) if c == 0 else CONTACT_TITLES[2 + c * 2]
                    contacts.append(ctx.add(Contact(
                        customer=cust, name=cname, title=title,
                        phone=phone(rng),
                        email=f"c{seq:04d}.{c + 1}@customer.example.cn" if rng.random() < 0.6 else None,
                    )))
                first_contact = today - timedelta(days=rng.randint(*FIRST_CONTACT_DAYS[stage]))
                ctx.customers.append(cust)
                ctx.cust_info[id(cust)] = {
                    "contacts": contacts, "first": first_contact, "discount": rng.uniform(0.88, 0.98),
                    "province": province, "city": city, "visits": [],
                }


def add_visits(ctx: Ctx, cust: Customer, start: date, due_soon: bool) -> None:
    """Visits from first contact to today by stage; the last may plan a return visit."""
    rng, today = ctx.rng, ctx.today
    info = ctx.cust_info[id(cust)]
    n = {Stage.research: 0, Stage.screened: 0, Stage.first_visit: 1, Stage.needs: 2,
         Stage.quoted: rng.randint(2, 3), Stage.negotiating: rng.randint(3, 4),
         Stage.contracted: rng.randint(4, 9), Stage.lost: rng.randint(1, 3)}[cust.stage]
    if n == 0:
        return
    span = max((today - start).days - 2, n)
    days = sorted(rng.sample(range(1, span + 1), n))
    dates = [start + timedelta(days=d) for d in days]
    if due_soon:  # a recent visit that planned a return visit within two weeks
        dates[-1] = today - timedelta(days=rng.randint(1, 20))
        dates.sort()
    kinds_by_stage = [VisitKind.first_visit, VisitKind.needs, VisitKind.negotiation]
    product = rng.choice(ctx.products)
    contact = info["contacts"][0]
    visits = []
    for i, d in enumerate(dates):
        if i < 3 and (cust.stage is not Stage.contracted or i < 2):
            kind = kinds_by_stage[min(i, 2)]
        else:
            kind = rng.choice((VisitKind.return_visit, VisitKind.return_visit, VisitKind.service,
                               VisitKind.negotiation))
        text = rng.choice(VISIT_SUMMARIES[kind]).format(
            p=product.name.split(" ")[-1], n=rng.randint(5, 60), t=f"{contact.name}{contact.title or ''}")
        v = Visit(customer=cust, visit_date=d, kind=kind, summary=text,
                  satisfaction=satisfaction(rng) if rng.random() < 0.88 else None)
        if i + 1 < len(dates):
            v.next_action = rng.choice(NEXT_ACTIONS)
            v.next_date = dates[i + 1]
        elif cust.stage is not Stage.lost:
            v.next_action = rng.choice(NEXT_ACTIONS)
            if due_soon:
                v.next_date = today + timedelta(days=rng.randint(0, 13))
            else:
                v.next_date = d + timedelta(days=rng.randint(7, 45))
        visits.append(ctx.add(v))
    info["visits"] = visits
