"""All models, imported in dependency order (FAB's User first: employees link to logins)."""

from flask_appbuilder.security.sqla.models import User  # noqa: F401

from .access import AccessRevision  # noqa: F401
from .activities import Activity  # noqa: F401
from .appraisal import AppraisalCycle, AppraisalRating, AppraisalResult, AppraisalTarget  # noqa: F401
from .attachments import Attachment  # noqa: F401
from .base import Model, metadata  # noqa: F401
from .conduct import Attendance, ConductViolation, IntegrityRecord, LeaveRequest  # noqa: F401
from .contracts import Contract, ContractApproval, ContractLine  # noqa: F401
from .customers import Contact, Customer, Product, Quotation, QuotationLine, Visit  # noqa: F401
from .history import ChangeLog, LoginEvent  # noqa: F401
from .idempotency import IdempotencyKey  # noqa: F401
from .logins import LoginLock, LoginSession  # noqa: F401
from .market import Competitor, CompetitorPrice, Countermeasure, MarketReport  # noqa: F401
from .notifications import Notification  # noqa: F401
from .numbering import DocumentSequence  # noqa: F401
from .orders import LogisticsEvent, OrderLine, OrderReview, SalesOrder, Shipment  # noqa: F401
from .people import Employee, Team  # noqa: F401
from .policy import PolicyKey, PolicySetting  # noqa: F401
from .prefs import SavedFilter, UserPreference  # noqa: F401
from .receivables import (  # noqa: F401
    DunningRecord,
    LegalCase,
    Payment,
    PaymentInstalment,
    Receivable,
    SettlementNotice,
)
from .rewards import Penalty, Reward  # noqa: F401
from .service import RootCause, ServiceFeedback, ServiceTicket  # noqa: F401
from .training import CareerMove, Certification, Enrolment, TrainingItem, TrainingPlan  # noqa: F401
