"""Appraisal: cycles, targets and ratings."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from ..models import AppraisalCycle, AppraisalRating, AppraisalTarget
from ..models.appraisal import CycleKind, CycleStatus, EvaluatorRole
from ..models.customers import Stage
from ..models.orders import OrderStatus
from .context import Ctx, quarter_bounds, round_to


def add_appraisal(ctx: Ctx) -> None:
    rng, today = ctx.rng, ctx.today
    q_now = (today.month - 1) // 3 + 1
    quarters = []
    y, q = today.year, q_now
    for status in (CycleStatus.open, CycleStatus.scoring, CycleStatus.closed, CycleStatus.closed):
        start, end = quarter_bounds(y, q)
        quarters.append(ctx.add(AppraisalCycle(name=f"{y}年第{q}季度", kind=CycleKind.quarterly,
                                               start_date=start, end_date=end, status=status)))
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    annual = ctx.add(AppraisalCycle(name=f"{today.year - 1}年度", kind=CycleKind.annual,
                                    start_date=date(today.year - 1, 1, 1),
                                    end_date=date(today.year - 1, 12, 31), status=CycleStatus.closed))
    # Average quarterly revenue / volume / profit per salesperson over the last two years.
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for o in ctx.orders:
        if o.status is OrderStatus.cancelled:
            continue
        t = totals[o.customer.owner.number]
        for ln in o.lines:
            t[0] += ln.qty * ln.unit_price
            t[1] += ln.qty
            t[2] += ln.qty * (ln.unit_price - ln.unit_cost)
    for cycle in [*quarters, annual]:
        factor = 4 if cycle.kind is CycleKind.annual else 1
        for emp in ctx.sales:
            rev, vol, prof = (v / 8 for v in totals[emp.number])
            stretch = Decimal(str(rng.uniform(0.9, 1.25)))
            ctx.add(AppraisalTarget(
                cycle=cycle, employee=emp,
                revenue=round_to(max(rev, Decimal(100000)) * stretch * factor, 10000),
                volume=Decimal(int(max(vol, Decimal(50)) * stretch * factor / 10) * 10),
                profit=round_to(max(prof, Decimal(25000)) * stretch * factor, 5000),
                new_customers=rng.randint(1, 3) * factor,
                collection_rate=Decimal(rng.choice((90, 95, 95))),
            ))
    by_team = ctx.team_sales
    for cycle in [quarters[1], quarters[2], quarters[3], annual]:
        partial = cycle.status is CycleStatus.scoring
        for idx, members in enumerate(by_team):
            supervisor = ctx.teams[idx].supervisor
            for emp in members:
                base = rng.uniform(3.0, 4.6)

                def marks(base=base):
                    return {k: max(1, min(5, round(base + rng.uniform(-0.9, 0.9))))
                            for k in ("market_analysis", "sales_skills", "negotiation", "cooperation",
                                      "team_contribution")}

                if not partial or rng.random() < 0.75:
                    ctx.add(AppraisalRating(cycle=cycle, employee=emp, evaluator_role=EvaluatorRole.supervisor,
                                            evaluator=supervisor, comment="客户开发积极，回款跟进需加强"
                                            if base < 3.6 else "业绩稳定，团队协作好", **marks()))
                peers = [p for p in members if p is not emp]
                for peer in rng.sample(peers, 1 if partial else 2):
                    ctx.add(AppraisalRating(cycle=cycle, employee=emp, evaluator_role=EvaluatorRole.peer,
                                            evaluator=peer, **marks()))
                if not partial:
                    custs = [c for c in ctx.customers if c.owner is emp and c.stage is Stage.contracted]
                    if custs:
                        c = rng.choice(custs)
                        contact = ctx.cust_info[id(c)]["contacts"][0]
                        ctx.add(AppraisalRating(cycle=cycle, employee=emp,
                                                evaluator_role=EvaluatorRole.customer,
                                                evaluator_name=f"{contact.name}（{c.name}）",
                                                comment="响应及时，专业可靠", **marks()))
