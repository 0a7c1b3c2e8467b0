"""The sales pipeline: quotations, contracts and their approvals (orders in orders.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .. import policy
from ..models import Contract, ContractApproval, Customer, Product, Quotation, QuotationLine
from ..models.contracts import ApprovalLevel, ContractStatus, Verdict
from ..models.customers import QuotationStatus, Stage
from ..models.orders import OrderStatus
from ..models.policy import PolicyKey
from .context import Ctx, assign_numbers, at, between, money, round_to
from .customers import add_visits
from .orders import add_order
from .products import quantity


def add_pipeline(ctx: Ctx) -> None:
    rng, today = ctx.rng, ctx.today
    quotes: list[Quotation] = []
    contracts: list[Contract] = []
    pending_contract_status = [ContractStatus.draft, ContractStatus.submitted,
                               ContractStatus.approved, ContractStatus.rejected]
    terminated_left = 2
    draft_left = True
    lost_flip = False
    for n, cust in enumerate(ctx.customers):
        info = ctx.cust_info[id(cust)]
        stage = cust.stage
        due_soon = stage not in (Stage.lost, Stage.research, Stage.screened) and rng.random() < 0.3
        if stage is Stage.contracted:
            # Annual framework contracts, the latest signed 1–10 months ago (a few just signed).
            just_signed = n % 7 == 3
            latest = today - timedelta(days=rng.randint(3, 25) if just_signed else rng.randint(30, 300))
            signs = [latest]
            while signs[0] - timedelta(days=380) >= info["first"] + timedelta(days=60):
                signs.insert(0, signs[0] - timedelta(days=rng.randint(350, 380)))
            info["first"] = min(info["first"], signs[0] - timedelta(days=rng.randint(60, 120)))
            add_visits(ctx, cust, info["first"], due_soon)
            if rng.random() < 0.3:  # an earlier quotation that did not go through
                quotes.append(_quotation(ctx, cust, signs[0] - timedelta(days=rng.randint(40, 55)),
                                         rng.choice((QuotationStatus.rejected, QuotationStatus.expired))))
            for i, sign in enumerate(signs):
                q = _quotation(ctx, cust, sign - timedelta(days=rng.randint(8, 25)),
                               QuotationStatus.accepted)
                quotes.append(q)
                last = i == len(signs) - 1
                if last:
                    status = ContractStatus.signed if just_signed else ContractStatus.executing
                elif terminated_left and n % 5 == 1:
                    status, terminated_left = ContractStatus.terminated, terminated_left - 1
                else:
                    status = ContractStatus.fulfilled
                contracts.append(_contract(ctx, cust, q, status, sign))
            if rng.random() < 0.25:  # spare parts ordered without a contract
                add_order(ctx, cust, None, between(rng, today - timedelta(days=700), today - timedelta(days=2)),
                       spare=True)
        else:
            add_visits(ctx, cust, info["first"], due_soon)
            if stage in (Stage.quoted, Stage.negotiating, Stage.lost):
                if stage is Stage.lost:
                    lost_flip = not lost_flip
                    status = QuotationStatus.rejected if lost_flip else QuotationStatus.expired
                    issued = between(rng, info["first"] + timedelta(days=20), today - timedelta(days=60))
                elif stage is Stage.quoted:
                    status = QuotationStatus.draft if draft_left or rng.random() < 0.3 else QuotationStatus.sent
                    draft_left = False
                    issued = today - timedelta(days=rng.randint(1, 25))
                else:
                    status = QuotationStatus.sent
                    issued = today - timedelta(days=rng.randint(3, 28))
                    if rng.random() < 0.5:
                        quotes.append(_quotation(ctx, cust, issued - timedelta(days=rng.randint(45, 90)),
                                                 QuotationStatus.expired))
                q = _quotation(ctx, cust, issued, status)
                quotes.append(q)
                if stage is Stage.negotiating and (pending_contract_status or rng.random() < 0.4):
                    cs = pending_contract_status.pop(0) if pending_contract_status else rng.choice(
                        (ContractStatus.draft, ContractStatus.submitted, ContractStatus.approved,
                         ContractStatus.rejected))
                    contracts.append(_contract(ctx, cust, q, cs, None))
    assign_numbers(quotes, "QT", lambda q: q.issued_on)
    assign_numbers(contracts, "HT", lambda c: c.sign_date or c.quotation.issued_on)
    assign_numbers(ctx.orders, "SO", lambda o: o.order_date)


def _quotation(ctx: Ctx, cust: Customer, issued: date, status: QuotationStatus,
               products: list[Product] | None = None) -> Quotation:
    rng = ctx.rng
    disc = ctx.cust_info[id(cust)]["discount"]
    q = ctx.add(Quotation(customer=cust, issued_on=issued, valid_until=issued + timedelta(days=30),
                          status=status, number="",
                          note=rng.choice((None, "含税价，含运费", "价格含13%增值税，不含安装",
                                           "交期：收到预付款后25天"))))
    for p in products or rng.sample(ctx.products, rng.randint(1, 4)):
        ctx.add(QuotationLine(quotation=q, product=p, qty=quantity(rng, p),
                              unit_price=money(round(float(p.list_price) * disc))))
    return q


def _contract(ctx: Ctx, cust: Customer, q: Quotation, status: ContractStatus,
              sign: date | None) -> Contract:
    rng, today = ctx.rng, ctx.today
    terms = cust.payment_terms_days
    c = ctx.add(Contract(
        customer=cust, quotation=q, number="", status=status, amount=money(0),
        payment_terms=f"货到验收合格后{terms}天内电汇付清；可接受6个月内银行承兑汇票",
        terms="年度框架采购合同：按订单分批交货，单价按附件报价执行；质保期18个月；"
              "逾期交货每日按未交货金额0.05%支付违约金。",
    ))
    quote_total = sum((ln.qty * ln.unit_price for ln in q.lines), Decimal(0))
    if sign is not None:
        c.sign_date, c.start_date = sign, sign
        c.end_date = sign + timedelta(days=364)
        order_total = Decimal(0)
        if status is not ContractStatus.signed:
            stop = min(c.end_date, today - timedelta(days=1))
            if status is ContractStatus.terminated:
                stop = sign + timedelta(days=rng.randint(120, 200))
                c.terms += "\n因客户经营调整，双方协商一致提前终止，已交付订单照常结算。"
            d = sign + timedelta(days=rng.randint(3, 20))
            while d <= stop:
                o = add_order(ctx, cust, c, d)
                if o.status is not OrderStatus.cancelled:
                    order_total += sum((ln.qty * ln.unit_price for ln in o.lines), Decimal(0))
                d += timedelta(days=rng.randint(18, 45))
            if status is ContractStatus.executing and ctx.fresh_orders:
                ago, step = ctx.fresh_orders.pop(0)
                o = add_order(ctx, cust, c, max(today - timedelta(days=ago), sign), force=step)
                order_total += sum((ln.qty * ln.unit_price for ln in o.lines), Decimal(0))
        if status in (ContractStatus.fulfilled, ContractStatus.terminated) and order_total:
            c.amount = money(order_total)
        elif status is ContractStatus.executing:
            c.amount = round_to(max(order_total, quote_total) * Decimal(str(rng.uniform(1.2, 1.8))), 1000)
        else:
            c.amount = round_to(quote_total * rng.randint(3, 8), 1000)
        decided = sign - timedelta(days=rng.randint(2, 6))
    else:
        c.amount = round_to(quote_total * rng.randint(3, 8), 1000)
        decided = today - timedelta(days=rng.randint(1, 10))
    _approvals(ctx, c, decided)
    return c


def _approvals(ctx: Ctx, c: Contract, decided: date) -> None:
    rng = ctx.rng
    supervisor = ctx.supervisor_of(c.customer.owner)
    finance = ctx.emp["E0017"]
    big = c.amount > policy.get(PolicyKey.contract_finance_threshold)  # 3.1.7
    status = c.status
    if status is ContractStatus.draft:
        return
    if status is ContractStatus.submitted:
        if big and "awaiting_supervisor" not in ctx.marks:  # one waits for its supervisor
            ctx.marks.add("awaiting_supervisor")
        elif big:  # the supervisor approved, finance still to decide (3.1.7)
            c.status = ContractStatus.finance_review
            ctx.add(ContractApproval(contract=c, approver=supervisor, verdict=Verdict.approved,
                                     comment="价格与账期符合政策，提交财务审批", decided_at=at(decided, 10, 20)))
        return
    if status is ContractStatus.rejected:
        if big and rng.random() < 0.5:
            ctx.add(ContractApproval(contract=c, approver=supervisor, verdict=Verdict.approved,
                                     comment="同意", decided_at=at(decided, 9, 40)))
            ctx.add(ContractApproval(contract=c, approver=finance, verdict=Verdict.rejected,
                                     level=ApprovalLevel.finance,
                                     comment="客户当前应收余额已超信用额度，请先回款再签约",
                                     decided_at=at(decided + timedelta(days=1), 15, 5)))
        else:
            ctx.add(ContractApproval(contract=c, approver=supervisor, verdict=Verdict.rejected,
                                     comment="单价低于公司最低限价，请重新议价后提交",
                                     decided_at=at(decided, 11, 30)))
        return
    ctx.add(ContractApproval(contract=c, approver=supervisor, verdict=Verdict.approved,
                             comment=rng.choice(("同意", "同意，注意交期风险", "价格合理，同意签订")),
                             decided_at=at(decided, 9 + rng.randint(0, 7), rng.randint(0, 59))))
    if big:
        ctx.add(ContractApproval(contract=c, approver=finance, verdict=Verdict.approved,
                                 level=ApprovalLevel.finance,
                                 comment=rng.choice(("信用额度内，同意", "同意，按合同账期跟踪回款")),
                                 decided_at=at(decided + timedelta(days=1), 14, rng.randint(0, 59))))
