"""The entry point: the demo logins, then every domain's builder in a fixed order."""

from __future__ import annotations

import random

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from ..appraisal import freeze
from ..clock import today
from ..extensions import db
from ..jobs import recompute_risk
from ..models import (
    AppraisalCycle,
    AppraisalRating,
    AppraisalTarget,
    Attendance,
    CareerMove,
    Certification,
    Competitor,
    CompetitorPrice,
    ConductViolation,
    Contact,
    Contract,
    ContractApproval,
    Countermeasure,
    Customer,
    DunningRecord,
    Employee,
    Enrolment,
    IntegrityRecord,
    LeaveRequest,
    LegalCase,
    LogisticsEvent,
    MarketReport,
    OrderLine,
    OrderReview,
    Payment,
    Penalty,
    Product,
    Quotation,
    QuotationLine,
    Receivable,
    Reward,
    RootCause,
    SalesOrder,
    ServiceFeedback,
    ServiceTicket,
    SettlementNotice,
    Shipment,
    Team,
    TrainingItem,
    TrainingPlan,
    User,
    Visit,
)
from ..models.appraisal import CycleStatus
from ..security.matrix import ROLES
from ..security.passwords import problems
from .appraisal import add_appraisal
from .collection import add_receivables
from .conduct import add_conduct
from .context import RANDOM_SEED, Ctx
from .customers import add_customers
from .data.people import EMAIL_DOMAIN, MARKER_NUMBER, PEOPLE
from .market import add_market
from .people import add_people
from .pipeline import add_pipeline
from .products import add_products
from .rewards import add_rewards
from .service import add_service
from .training import add_training


def seed_demo(password: str) -> dict[str, int]:
    """Create the demo factory once; on later runs only reset the demo logins. Returns row counts."""
    sm = current_app.appbuilder.sm
    roles = {}
    for name in ROLES:
        role = sm.find_role(name)
        if role is None:
            raise RuntimeError(f"Role {name!r} does not exist: run `flask roles sync` first.")
        roles[name] = role
    if problems(password):  # the demo logins obey the password policy like any other
        raise RuntimeError("DEMO_PASSWORD does not meet the password policy: " + " ".join(problems(password)))

    exists = db.session.scalar(select(Employee.id).where(Employee.number == MARKER_NUMBER))
    try:
        users = _ensure_users(sm, roles, password)
        if exists:
            _link_users(users)
        else:
            _build(users)
            # Customers' risk levels as the daily job would leave them (3.3.3).
            recompute_risk(today(), {"risk_changed": 0})
            # Closed cycles keep the scorecards they closed with (6.2).
            for cycle in db.session.scalars(select(AppraisalCycle).where(AppraisalCycle.status == CycleStatus.closed)):
                freeze(cycle)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts()


def counts() -> dict[str, int]:
    models = (
        User, Team, Employee, MarketReport, Competitor, CompetitorPrice, Countermeasure, Product,
        Customer, Contact, Visit, Quotation, QuotationLine, Contract, ContractApproval, SalesOrder,
        OrderLine, OrderReview, Shipment, LogisticsEvent, Receivable, Payment, SettlementNotice,
        DunningRecord, LegalCase, ServiceTicket, RootCause, ServiceFeedback, Attendance, LeaveRequest,
        ConductViolation, IntegrityRecord, TrainingPlan, TrainingItem, Enrolment, Certification,
        CareerMove, AppraisalCycle, AppraisalTarget, AppraisalRating, Reward, Penalty,
    )
    return {
        m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in models
    }


def _ensure_users(sm, roles, password: str) -> dict[str, User]:
    """Create the demo logins, or reset password, role, active flag and names of existing ones.

    Every demo login shares the one documented password, so it is hashed once (scrypt costs about
    0.1 s per hash) and the hash is reused.
    """
    hashed = generate_password_hash(
        password=password,
        method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
        salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16),
    )
    users = {}
    for number, username, name, _en, _pos, _team, role_name, _dept, _hired in PEOPLE:
        if not username:
            continue
        role = roles[role_name]
        user = sm.find_user(username=username)
        if user is None:
            # FAB's first name is the given name (名), its last name the family name (姓);
            # app.display.fab_full_name writes them family name first, as Chinese names are written.
            user = sm.add_user(username, name[1:], name[0], f"{username}@{EMAIL_DOMAIN}", role,
                               hashed_password=hashed, commit=False)
            if not user:
                raise RuntimeError(f"Could not create the demo user {username!r} (see the log).")
        else:  # sm.reset_password would commit; the whole seed is one transaction
            user.password = hashed
            user.roles = [role]
            user.active = True
            # Earlier seeds stored the family name as the first name: put each where FAB expects it.
            user.first_name, user.last_name = name[1:], name[0]
        users[number] = user
    db.session.flush()
    return users


def _link_users(users: dict[str, User]) -> None:
    """On a re-run: link demo logins to their employees where the link is missing."""
    linked = set(db.session.scalars(select(Employee.user_id).where(Employee.user_id.is_not(None))))
    for number, user in users.items():
        emp = db.session.scalar(select(Employee).where(Employee.number == number))
        if emp is not None and emp.user_id is None and user.id not in linked:
            emp.user_id = user.id
            linked.add(user.id)


def _build(users: dict[str, User]) -> None:
    ctx = Ctx(rng=random.Random(RANDOM_SEED), today=today())
    linked = set(db.session.scalars(select(Employee.user_id).where(Employee.user_id.is_not(None))))
    with db.session.no_autoflush:
        add_people(ctx, users, linked)
        add_products(ctx)
        add_market(ctx)
        add_customers(ctx)
        add_pipeline(ctx)
        add_receivables(ctx)
        add_service(ctx)
        add_conduct(ctx)
        add_training(ctx)
        add_appraisal(ctx)
        add_rewards(ctx)
    db.session.add_all(ctx.new)
    db.session.flush()
