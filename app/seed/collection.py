"""Receivables and collection: payments, settlement notices, dunning, legal cases."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ..models import DunningRecord, LegalCase, Payment, Receivable, SettlementNotice
from ..models.orders import OrderStatus
from ..models.receivables import DunningChannel, LegalStatus, PaymentMethod, ReceivableStatus
from ..services import collection
from .context import Ctx, assign_numbers, between, money, round_to
from .data.collection import COUNSEL, DUNNING_CAUSES, DUNNING_RESULTS, LEGAL_NOTES


def add_receivables(ctx: Ctx) -> None:
    rng, today = ctx.rng, ctx.today
    plans = []
    for o in ctx.orders:
        if o.status not in (OrderStatus.shipped, OrderStatus.delivered):
            continue
        amount = money(sum((ln.qty * ln.unit_price for ln in o.lines), Decimal(0)))
        issued = ctx.shipments[id(o)].shipped_on
        due = issued + timedelta(days=o.customer.payment_terms_days)
        overdue = (today - due).days
        bucket = collection.bucket_of(overdue)
        # fate: "paid", "partial" or "unpaid" (as of today)
        odds = {"not_due": (0.0, 0.2), "d1_30": (0.45, 0.2), "d31_60": (0.55, 0.2),
                "d61_90": (0.62, 0.16), "d90_plus": (0.9 if overdue < 180 else 0.97, 0.04)}[bucket]
        r = rng.random()
        fate = "paid" if r < odds[0] else "partial" if r < odds[0] + odds[1] else "unpaid"
        plans.append({"order": o, "amount": amount, "issued": issued, "due": due,
                      "overdue": overdue, "bucket": bucket, "fate": fate})
    # Write-offs and legal cases come from the oldest invoices.
    old = sorted((p for p in plans if p["overdue"] > 120), key=lambda p: -p["overdue"])
    for p, special in zip(old[:2], ("written_off", "write_off_pending"), strict=False):
        p["fate"], p["special"] = "partial", special
    legal_picks = old[2:][:: max(1, len(old[2:]) // 4)][:3]  # spread over the 120+ range
    for p, legal in zip(legal_picks, (LegalStatus.review, LegalStatus.filed, LegalStatus.enforcement),
                        strict=False):
        p["fate"], p["special"], p["legal"] = "unpaid", "in_legal", legal
    not_due = [p for p in plans if p["bucket"] == "not_due"]
    if not_due and all(p["fate"] != "partial" for p in not_due):
        not_due[0]["fate"] = "partial"  # an advance payment on an invoice not yet due
    # Every aging bucket holds some plain outstanding invoices (status open / overdue).
    for bucket, *_ in collection.BUCKETS:
        in_bucket = [p for p in plans if p["bucket"] == bucket and "special" not in p]
        outstanding = [p for p in in_bucket if p["fate"] != "paid"]
        for p in [p for p in in_bucket if p["fate"] == "paid"][: max(0, 4 - len(outstanding))]:
            p["fate"] = "unpaid"
    finance = ctx.emp["E0017"]
    receivables = []
    for p in plans:
        o, amount, issued, due = p["order"], p["amount"], p["issued"], p["due"]
        cust = o.customer
        info = ctx.cust_info[id(cust)]
        rec = ctx.add(Receivable(customer=cust, order=o, contract=o.contract, amount=amount,
                                 issued_on=issued, due_date=due, number=""))
        receivables.append(rec)
        payments: list[tuple[date, Decimal, PaymentMethod, str | None]] = []
        fate = p["fate"]
        if fate == "paid":
            late = rng.random() < 0.3
            pay_day = due + timedelta(days=rng.randint(3, 45) if late else -rng.randint(0, 10))
            pay_day = min(max(pay_day, issued), today)
            if rng.random() < 0.25 and amount > 1000:
                first = round_to(amount * Decimal(str(rng.uniform(0.3, 0.7))), 100)
                first_day = between(rng, issued, pay_day)
                payments += [(first_day, first, PaymentMethod.bank_transfer, None),
                             (pay_day, amount - first, PaymentMethod.bank_transfer, None)]
            else:
                method = PaymentMethod.acceptance_bill if rng.random() < 0.2 else PaymentMethod.bank_transfer
                payments.append((pay_day, amount, method, None))
            settled_on = pay_day
        elif fate == "partial":
            part = round_to(amount * Decimal(str(rng.uniform(0.2, 0.7))), 100)
            if not Decimal(0) < part < amount:
                part = money(amount / 2)
            payments.append((between(rng, issued, today), part, PaymentMethod.bank_transfer, None))
            settled_on = None
        else:
            settled_on = None
        if p.get("legal") is LegalStatus.enforcement:
            recovered = round_to(amount * Decimal("0.35"), 100)
            payments.append((today - timedelta(days=rng.randint(5, 30)), recovered, PaymentMethod.other,
                             "法院执行款"))
        paid = Decimal(0)
        for day, amt, method, ref in payments:
            paid += amt
            ctx.add(Payment(receivable=rec, paid_on=day, amount=amt, method=method,
                            reference=ref or f"HK{day:%Y%m%d}{rng.randint(1000, 9999)}"))
        assert paid <= amount, (paid, amount)
        if paid >= amount:
            rec.status = ReceivableStatus.paid
        elif p.get("special") in ("written_off", "write_off_pending"):
            rec.status = ReceivableStatus[p["special"]]
        elif p.get("special") == "in_legal":
            rec.status = ReceivableStatus.in_legal
        elif today > due:
            rec.status = ReceivableStatus.overdue
        else:
            rec.status = ReceivableStatus.partially_paid if paid else ReceivableStatus.open
        contact = info["contacts"][-1]
        # Settlement notice 7 days before the due date (3.3.1), the last year only.
        sent = due - timedelta(days=7)
        if issued <= sent < today and sent >= today - timedelta(days=365) and (
                settled_on is None or settled_on > sent):
            ctx.add(SettlementNotice(
                receivable=rec, due_date=due, sent_on=sent,
                channel=DunningChannel.email if contact.email else DunningChannel.phone,
                recipient=contact.email or f"{contact.name} {contact.phone}",
                note=f"贵司应付款 {amount} 元将于 {due:%Y-%m-%d} 到期，请安排付款。",
            ))
        # Dunning by level of days overdue (3.3.2) until paid or today.
        end = settled_on or today
        owner = cust.owner
        supervisor = ctx.supervisor_of(owner)
        levels = [(3, DunningChannel.phone, owner), (18, rng.choice((DunningChannel.email,
                                                                      DunningChannel.letter)), owner),
                  (35, DunningChannel.visit, owner), (65, DunningChannel.phone, supervisor),
                  (95, DunningChannel.letter, finance)]
        levels += [(95 + 30 * k, rng.choice((DunningChannel.phone, DunningChannel.visit)), owner)
                   for k in range(1, 4)]
        for offset, channel, collector in levels:
            day = due + timedelta(days=offset + rng.randint(0, 3))
            if day >= end or day > today:
                break
            promised = day + timedelta(days=rng.randint(5, 20)) if rng.random() < 0.6 else None
            result = rng.choice(DUNNING_RESULTS)
            if offset == 95:
                result = "已发律师函，移交法务评估是否起诉"
            ctx.add(DunningRecord(receivable=rec, contacted_on=day, channel=channel,
                                  contact_person=contact.name, cause=rng.choice(DUNNING_CAUSES),
                                  promised_date=promised, result=result, collector=collector))
        if p.get("special") == "in_legal":
            legal = p["legal"]
            ctx.add(LegalCase(
                receivable=rec, status=legal, counsel=COUNSEL,
                filed_on=None if legal is LegalStatus.review else due + timedelta(days=rng.randint(110, 120)),
                amount_recovered=recovered if legal is LegalStatus.enforcement else money(0),
                notes=LEGAL_NOTES[legal],
            ))
        elif p.get("special") == "written_off":
            ctx.add(LegalCase(
                receivable=rec, status=LegalStatus.closed, counsel=COUNSEL,
                filed_on=due + timedelta(days=rng.randint(110, 120)), amount_recovered=money(0),
                notes=LEGAL_NOTES[LegalStatus.closed],
            ))
    assign_numbers(receivables, "AR", lambda r: r.issued_on)
