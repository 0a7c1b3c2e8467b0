"""Training: plans, items, enrolments, certifications and career moves."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ..models import CareerMove, Certification, Enrolment, TrainingItem, TrainingPlan
from ..models.training import ItemStatus, Method, PlanStatus, Topic
from .context import Ctx, money
from .data.training import ASSESSMENT_BY_TOPIC, CAREER_MOVES, CERTIFICATIONS, TRAINING_ITEMS


def add_training(ctx: Ctx) -> None:
    rng, today = ctx.rng, ctx.today
    e = ctx.emp
    for year, budget in ((today.year - 1, 120000), (today.year, 150000)):
        plan = ctx.add(TrainingPlan(year=year, title=f"{year}年度销售人员培训计划", budget=money(budget),
                                    status=PlanStatus.approved))
        past = []
        for month, (title, topic, method, trainer, hours) in enumerate(TRAINING_ITEMS, start=1):
            start = date(year, month, 10 + (month * 3) % 12)
            end = start + timedelta(days=1 if hours > 8 else 0)
            cost = {Method.internal: rng.randint(0, 20) * 100, Method.external: rng.randint(80, 200) * 100,
                    Method.online: rng.randint(5, 30) * 100}[method]
            item = ctx.add(TrainingItem(
                plan=plan, title=title, topic=topic, method=method, trainer=trainer, month=month,
                start_date=start, end_date=end, hours=Decimal(hours), cost=money(cost),
                audience="全体业务员" if topic is not Topic.sales_skills or month != 11 else "销售主管及骨干业务员",
                status=ItemStatus.planned if end >= today else ItemStatus.assessed,
            ))
            if item.status is ItemStatus.assessed:
                past.append(item)
        if year == today.year - 1:
            past[6].status = ItemStatus.cancelled  # July: trainer unavailable, moved online
        if year == today.year and past:
            past[-1].status = ItemStatus.held  # held, assessment not yet recorded
        for item in plan.items:
            if item.status is ItemStatus.cancelled:
                continue
            kind = ASSESSMENT_BY_TOPIC[item.topic]
            for emp in ctx.sales:
                if emp.hire_date and emp.hire_date > (item.end_date or item.start_date):
                    continue  # not yet employed
                en = Enrolment(item=item, employee=emp)
                if item.status is ItemStatus.planned:
                    en.attended = False
                else:
                    en.attended = rng.random() < 0.92
                    if en.attended:
                        en.assessment = kind
                        if item.status is ItemStatus.assessed:
                            score = max(35.0, min(100.0, rng.gauss(80, 10)))
                            en.score = Decimal(str(round(score * 2) / 2)).quantize(Decimal("0.1"))
                            en.passed = en.score >= 60
                ctx.add(en)
    for number, name, issuer, ago, valid in CERTIFICATIONS:
        obtained = today - timedelta(days=ago)
        ctx.add(Certification(employee=e[number], name=name, issuer=issuer, obtained_on=obtained,
                              expires_on=obtained + timedelta(days=valid) if valid else None))
    for number, kind, src, dst, ago, basis in CAREER_MOVES:
        ctx.add(CareerMove(employee=e[number], kind=kind, from_position=src, to_position=dst,
                           effective_on=today - timedelta(days=ago), basis=basis))
