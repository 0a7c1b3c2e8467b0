"""Demo data: a realistic factory sales department (``flask seed demo``).

``seed_demo(password)`` fills an empty, migrated database (roles synced by ``flask roles sync``) with
three sales teams, their customers and two years of business: visits, quotations, contracts with
approvals, orders with reviews and shipments, receivables in every aging bucket with payments,
notices, dunning and legal cases, after-sales tickets, attendance, leave, conduct, training,
appraisal and rewards. Dates are relative to the factory's today (``clock.today()``) so aging buckets, "return visit due"
and late orders stay realistic whenever the seed is run; the random generator is fixed
(``random.Random(20261127)``) so a given day always produces the same data.

Safe to run again: when the demo marker (employee ``E0001``) exists nothing is created; only the demo
logins get their password, role and active flag reset. Either way it returns row counts per table.

Demo logins (all with the given password):
    admin (Admin; sales manager E0001, in no team)
    supervisor1 / supervisor2 / supervisor3 (Supervisor of 华南一组 / 华东二组 / 华北三组)
    sales1, sales3, sales4, sales5 (华南一组), sales2, sales6..sales8 (华东二组),
    sales9..sales12 (华北三组) (Salesperson)
    finance1 (Finance), hr1 (HR)

Receivable statuses follow one rule: ``paid`` when payments reach the amount; otherwise ``overdue``
once the due date has passed (even when partly paid), ``partially_paid`` before the due date with a
payment, ``open`` before the due date without one; ``in_legal`` / ``written_off`` are set by hand for
a few long-overdue invoices that have a legal case.

Layout: ``demo`` (the entry point: logins, then each domain's builder in a fixed order: the
random sequence depends on it), one module per domain (``people``, ``products``, ``market``,
``customers``, ``pipeline``, ``orders``, ``collection``, ``service``, ``conduct``, ``training``,
``appraisal``, ``rewards``), ``context`` (what they share) and ``data`` (their tables).
"""

from __future__ import annotations

from .demo import counts, seed_demo

__all__ = ["counts", "seed_demo"]
