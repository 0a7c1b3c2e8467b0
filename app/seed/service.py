"""After-sales service: tickets, feedback and root causes."""

from __future__ import annotations

from datetime import timedelta

from ..models import RootCause, ServiceFeedback, ServiceTicket
from ..models.orders import OrderStatus
from ..models.service import CauseCategory, Severity, TicketKind, TicketStatus
from .context import Ctx, assign_numbers, satisfaction, weighted
from .data.service import (
    CLOSING_SUMMARIES,
    CORRECTIVE_ACTION,
    DUE_DAYS,
    KIND_CAUSES,
    OPINIONS,
    PREVENTIVE_ACTIONS,
    ROOT_CAUSES,
    SEVERITY_WEIGHTS,
    SOLUTIONS,
    TICKET_DEPARTMENTS,
    TICKET_TEXT,
)


def add_service(ctx: Ctx) -> None:
    rng, today = ctx.rng, ctx.today
    delivered = [o for o in ctx.orders if o.status is OrderStatus.delivered]
    late = [o for o in delivered if o.delivered_date > o.promised_date]
    kinds = [TicketKind.quality] * 9 + [TicketKind.usage] * 5 + [TicketKind.delivery] * 4 + [
        TicketKind.other] * 2
    tickets = []
    for i in range(90):
        kind = list(TicketKind)[i] if i < 4 else rng.choice(kinds)
        pool = late if kind is TicketKind.delivery and late else delivered
        o = rng.choice(pool)
        product = o.lines[0].product
        reported = o.delivered_date + timedelta(days=rng.randint(1, 10 if kind is TicketKind.delivery else 120))
        if reported > today:
            reported = today
        severity = list(Severity)[i % 3] if i < 6 else weighted(
            rng, SEVERITY_WEIGHTS)
        t = ServiceTicket(
            customer=o.customer, order=o, product=product, kind=kind, severity=severity,
            reported_on=reported, number="",
            due_date=reported + timedelta(days=DUE_DAYS[severity]),
            description=rng.choice(TICKET_TEXT[kind]).format(p=product.name),
        )
        tickets.append(t)
    # The most recent tickets are still in progress, one of each step at least.
    tickets.sort(key=lambda t: t.reported_on)
    open_steps = [s for s in TicketStatus if s is not TicketStatus.closed]
    for k, t in enumerate(reversed(tickets)):
        age = (today - t.reported_on).days
        if k < len(open_steps):
            t.status = open_steps[k]
        elif age < 20:
            t.status = rng.choice(open_steps)
        else:
            t.status = TicketStatus.closed if rng.random() < 0.93 else rng.choice(open_steps[3:])
    order_idx = {s: i for i, s in enumerate(TicketStatus)}
    quality_staff, production_staff = ctx.emp["E0022"], ctx.emp["E0019"]
    for t in tickets:
        ctx.add(t)
        step = order_idx[t.status]
        if step >= order_idx[TicketStatus.coordinating]:
            t.departments = TICKET_DEPARTMENTS[t.kind]
        if step >= order_idx[TicketStatus.solution_defined]:
            t.solution = SOLUTIONS[t.kind]
        if t.status is TicketStatus.closed:
            t.closed_on = min(t.reported_on + timedelta(days=rng.randint(1, 25)), today)
            t.satisfaction = satisfaction(rng)
            t.summary = rng.choice(CLOSING_SUMMARIES)
            if rng.random() < 0.85:
                rating = max(1, min(5, t.satisfaction + rng.choice((-1, 0, 0, 0, 1))))
                ctx.add(ServiceFeedback(
                    ticket=t, received_on=min(t.closed_on + timedelta(days=rng.randint(0, 7)), today),
                    rating=rating,
                    opinion=OPINIONS[rating],
                    forwarded_to="质量部" if t.kind is TicketKind.quality else "销售部",
                ))
        if step >= order_idx[TicketStatus.solution_defined] and (
                t.kind is not TicketKind.other or rng.random() < 0.5):
            category = rng.choice(KIND_CAUSES[t.kind])
            ctx.add(RootCause(
                ticket=t, category=category, cause=rng.choice(ROOT_CAUSES[category]),
                corrective_action=CORRECTIVE_ACTION,
                preventive_action=PREVENTIVE_ACTIONS[category],
                owner=quality_staff if category in (CauseCategory.material, CauseCategory.design)
                else production_staff,
                due_date=t.reported_on + timedelta(days=30),
                verified=t.status is TicketStatus.closed,
            ))
    assign_numbers(tickets, "FW", lambda t: t.reported_on)
