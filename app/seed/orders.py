"""Orders with their lines, departmental reviews, shipment and logistics."""

from __future__ import annotations

from datetime import date, timedelta

from ..models import Contract, Customer, LogisticsEvent, OrderLine, OrderReview, SalesOrder, Shipment
from ..models.orders import Department, Feasibility, OrderStatus, ShipmentStatus
from .context import Ctx, money
from .data.orders import CARRIERS, FACTORY_CITY, HUBS, REVIEW_CONDITIONS, REVIEW_DEPARTMENTS
from .data.products import SPARE_PARTS
from .products import quantity


def add_order(ctx: Ctx, cust: Customer, contract: Contract | None, order_date: date,
           spare: bool = False, force: OrderStatus | None = None) -> SalesOrder:
    """An order with lines, reviews, shipment and logistics; status from its timeline vs today."""
    rng, today = ctx.rng, ctx.today
    info = ctx.cust_info[id(cust)]
    o = ctx.add(SalesOrder(customer=cust, contract=contract, order_date=order_date, number=""))
    if spare:
        products = [ctx.product_by_code[c] for c in rng.sample(SPARE_PARTS, rng.randint(1, 3))]
    elif contract is not None and contract.quotation is not None:
        pool = [ln.product for ln in contract.quotation.lines]
        products = rng.sample(pool, rng.randint(1, len(pool)))
    else:
        products = rng.sample(ctx.products, rng.randint(1, 3))
    for p in products:
        price = money(round(float(p.list_price) * info["discount"] * rng.uniform(0.98, 1.02)))
        ctx.add(OrderLine(order=o, product=p, qty=quantity(rng, p), unit_price=price, unit_cost=p.unit_cost))
    lead = rng.randint(15, 45)
    o.promised_date = order_date + timedelta(days=lead)
    transit = rng.randint(1, 5)
    if rng.random() < 0.16:  # late delivery
        delivered = o.promised_date + timedelta(days=rng.randint(2, 20))
    else:
        delivered = o.promised_date - timedelta(days=rng.randint(0, min(5, lead - transit - 5)))
    shipped = delivered - timedelta(days=transit)
    age = (today - order_date).days
    cancelled = rng.random() < 0.04 and age > 5 and force is None
    if force is not None:
        o.status = force
        if force is OrderStatus.in_production:  # late: past the promised date, not delivered
            o.promised_date = order_date + timedelta(days=15)
        elif force is OrderStatus.shipped:
            shipped = max(order_date, today - timedelta(days=1))
    elif cancelled:
        o.status = OrderStatus.cancelled
        o.note = rng.choice(("客户项目取消，双方协商撤单", "评审不可行：定制件交期无法满足，客户撤单"))
    elif delivered < today and not ((today - delivered).days <= 3 and rng.random() < 0.5):
        o.status, o.delivered_date = OrderStatus.delivered, delivered
    elif shipped <= today:
        o.status = OrderStatus.shipped
    else:
        progress = age / max((shipped - order_date).days, 1)
        o.status = (OrderStatus.received if progress < 0.08 else OrderStatus.under_review
                    if progress < 0.2 else OrderStatus.scheduled if progress < 0.35
                    else OrderStatus.purchasing if progress < 0.5 else OrderStatus.in_production)
    if o.status is OrderStatus.delivered and o.delivered_date > o.promised_date:
        o.note = "延期交货：" + rng.choice(("硅钢片到料延迟", "产能饱和，排产顺延", "质检返工"))
    # Departmental reviews (3.2.2).
    if o.status not in (OrderStatus.received, OrderStatus.credit_review):
        depts = list(REVIEW_DEPARTMENTS)
        if o.status is OrderStatus.under_review:
            depts = depts[: rng.randint(1, 4)]
        infeasible = cancelled and "评审不可行" in (o.note or "")
        for dept, number in depts:
            verdict, note = Feasibility.feasible, None
            if infeasible and dept is Department.production:
                verdict, note = Feasibility.not_feasible, "定制控制柜需45天，无法满足客户要求的交期"
            elif rng.random() < 0.12:
                verdict = Feasibility.conditional
                note = REVIEW_CONDITIONS[dept]
            ctx.add(OrderReview(order=o, department=dept, verdict=verdict, risk_note=note,
                                reviewer=ctx.emp[number],
                                reviewed_on=min(order_date + timedelta(days=rng.randint(1, 3)), today)))
    if o.status in (OrderStatus.shipped, OrderStatus.delivered):
        carrier, prefix = rng.choice(CARRIERS)
        s = ctx.add(Shipment(order=o, carrier=carrier, shipped_on=shipped,
                             tracking_number=f"{prefix}{rng.randint(10**11, 10**12 - 1)}",
                             delivered_on=o.delivered_date,
                             status=ShipmentStatus.delivered if o.delivered_date else ShipmentStatus.in_transit))
        hub = HUBS[info["province"]]
        events = [(shipped, f"{FACTORY_CITY}", "已揽收，发往转运中心")]
        mid = shipped + timedelta(days=max(1, transit // 2))
        if mid <= today and (o.delivered_date is None or mid <= o.delivered_date):
            events.append((mid, hub, "到达转运中心"))
        if o.delivered_date:
            events.append((o.delivered_date, info["city"], "派送中"))
            events.append((o.delivered_date, info["city"], "已签收，签收人：" + info["contacts"][0].name))
        elif today > shipped:
            events.append((today, info["city"], "运输中"))
        for d, loc, desc in events:
            ctx.add(LogisticsEvent(shipment=s, occurred_on=d, location=loc, description=desc))
        ctx.shipments[id(o)] = s
    ctx.orders.append(o)
    return o
