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
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from . import policy
from .clock import today
from .extensions import db
from .models import (
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
from .models.appraisal import CycleKind, CycleStatus, EvaluatorRole
from .models.conduct import AttendanceStatus, Handling, LeaveStatus, LeaveType
from .models.conduct import Severity as ConductSeverity
from .models.contracts import ApprovalLevel, ContractStatus, Verdict
from .models.customers import QuotationStatus, Stage, VisitKind
from .models.market import PriceLevel, ProposalStatus
from .models.orders import Department, Feasibility, OrderStatus, ShipmentStatus
from .models.people import EmployeeStatus, Position
from .models.policy import PolicyKey
from .models.receivables import DunningChannel, LegalStatus, PaymentMethod, ReceivableStatus
from .models.rewards import PenaltyKind, PenaltyStatus, RewardKind
from .models.service import CauseCategory, Severity, TicketKind, TicketStatus
from .models.training import AssessmentKind, ItemStatus, Method, MoveKind, PlanStatus, Topic
from .security.matrix import ADMIN, FINANCE, HR, ROLES, SALES, SUPERVISOR
from .security.passwords import problems
from .services import collection

RANDOM_SEED = 20261127
MARKER_NUMBER = "E0001"
EMAIL_DOMAIN = "demo.local"
CENT = Decimal("0.01")

# --- Organisation ------------------------------------------------------------------------------

# name, Team.region, [(province, [cities])]
TEAMS = (
    ("华南一组", "广东", (("广东", ("广州", "深圳", "东莞", "佛山", "中山", "珠海", "惠州")),)),
    ("华东二组", "浙江、江苏", (("浙江", ("杭州", "宁波", "温州", "绍兴", "嘉兴")),
                          ("江苏", ("苏州", "无锡", "常州", "南京", "南通")))),
    ("华北三组", "北京、天津", (("北京", ("北京",)), ("天津", ("天津",)))),
)
DISTRICTS = {
    "广州": ("白云区", "番禺区", "花都区", "黄埔区"), "深圳": ("宝安区", "龙岗区", "光明区"),
    "东莞": ("长安镇", "塘厦镇", "松山湖"), "佛山": ("顺德区", "南海区", "三水区"),
    "中山": ("小榄镇", "火炬开发区"), "珠海": ("斗门区", "金湾区"), "惠州": ("惠阳区", "仲恺高新区"),
    "杭州": ("萧山区", "余杭区", "富阳区"), "宁波": ("北仑区", "鄞州区", "慈溪市"),
    "温州": ("瓯海区", "乐清市", "瑞安市"), "绍兴": ("柯桥区", "上虞区"), "嘉兴": ("秀洲区", "海宁市"),
    "苏州": ("吴江区", "相城区", "昆山市"), "无锡": ("惠山区", "江阴市"), "常州": ("武进区", "新北区"),
    "南京": ("江宁区", "六合区"), "南通": ("通州区", "海门区"),
    "北京": ("大兴区", "顺义区", "房山区", "通州区"), "天津": ("滨海新区", "西青区", "武清区", "静海区"),
}
ROADS = ("工业大道", "创业路", "科技路", "兴业路", "宏达路", "建设路", "环城路", "发展大道", "振兴路")

# number, username, name, English name, position, team index, role, department, hire date (days ago)
PEOPLE = (
    ("E0001", "admin", "赵建国", "Zhao Jianguo", Position.manager, None, ADMIN, "销售部", 4100),
    ("E0002", "supervisor1", "陈志强", "Chen Zhiqiang", Position.supervisor, 0, SUPERVISOR, "销售部", 3300),
    ("E0003", "supervisor2", "周海涛", "Zhou Haitao", Position.supervisor, 1, SUPERVISOR, "销售部", 2900),
    ("E0004", "supervisor3", "吴立新", "Wu Lixin", Position.supervisor, 2, SUPERVISOR, "销售部", 2400),
    ("E0005", "sales1", "李明", "Li Ming", Position.salesperson, 0, SALES, "销售部", 2100),
    ("E0006", "sales2", "王芳", "Wang Fang", Position.salesperson, 1, SALES, "销售部", 1900),
    ("E0007", "sales3", "张伟", "Zhang Wei", Position.salesperson, 0, SALES, "销售部", 1500),
    ("E0008", "sales4", "刘洋", "Liu Yang", Position.salesperson, 0, SALES, "销售部", 380),
    ("E0009", "sales5", "黄晓丽", "Huang Xiaoli", Position.salesperson, 0, SALES, "销售部", 1200),
    ("E0010", "sales6", "杨帆", "Yang Fan", Position.salesperson, 1, SALES, "销售部", 1650),
    ("E0011", "sales7", "徐静", "Xu Jing", Position.salesperson, 1, SALES, "销售部", 1100),
    ("E0012", "sales8", "孙浩", "Sun Hao", Position.salesperson, 1, SALES, "销售部", 300),
    ("E0013", "sales9", "马骏", "Ma Jun", Position.salesperson, 2, SALES, "销售部", 2600),
    ("E0014", "sales10", "朱婷", "Zhu Ting", Position.salesperson, 2, SALES, "销售部", 1400),
    ("E0015", "sales11", "胡斌", "Hu Bin", Position.salesperson, 2, SALES, "销售部", 900),
    ("E0016", "sales12", "郭敏", "Guo Min", Position.salesperson, 2, SALES, "销售部", 700),
    ("E0017", "finance1", "林小燕", "Lin Xiaoyan", Position.finance, None, FINANCE, "财务部", 2000),
    ("E0018", "hr1", "何丽娟", "He Lijuan", Position.hr, None, HR, "人力资源部", 2500),
    # Staff of other departments (order reviewers, root-cause owners): no login.
    ("E0019", None, "罗建华", "Luo Jianhua", Position.other, None, None, "生产部", 3600),
    ("E0020", None, "梁志勇", "Liang Zhiyong", Position.other, None, None, "采购部", 2800),
    ("E0021", None, "宋文博", "Song Wenbo", Position.other, None, None, "仓储部", 1800),
    ("E0022", None, "谢雨婷", "Xie Yuting", Position.other, None, None, "质量部", 2200),
    # A salesperson dismissed after an integrity violation (login removed when he left).
    ("E0023", None, "韩磊", "Han Lei", Position.salesperson, None, None, "销售部", 1300),
)
REVIEW_DEPARTMENTS = (
    (Department.production, "E0019"),
    (Department.purchasing, "E0020"),
    (Department.warehouse, "E0021"),
    (Department.quality, "E0022"),
    (Department.finance, "E0017"),
)

# --- Products and customers -----------------------------------------------------------------------

# code, name, unit, list price, unit cost
PRODUCTS = (
    ("P-1001", "YE3-80M2-4 三相异步电动机 0.75kW", "台", 980, 690),
    ("P-1002", "YE3-90L-4 三相异步电动机 1.5kW", "台", 1450, 1010),
    ("P-1003", "YE3-112M-4 三相异步电动机 4kW", "台", 2680, 1880),
    ("P-1004", "YE3-132M-4 三相异步电动机 7.5kW", "台", 4350, 3050),
    ("P-1005", "YE3-160L-4 三相异步电动机 15kW", "台", 7980, 5660),
    ("P-2001", "RV63 蜗轮蜗杆减速机 1:30", "台", 860, 560),
    ("P-2002", "R77 斜齿轮减速电机", "台", 5200, 3640),
    ("P-2003", "K87 螺旋锥齿轮减速机", "台", 9800, 6950),
    ("P-2004", "NMRV050 铝合金蜗轮减速机", "台", 420, 270),
    ("P-2005", "ZQ350 圆柱齿轮减速器", "台", 6300, 4480),
    ("P-3001", "GS-55 精密行星减速机", "台", 2100, 1420),
    ("P-3002", "FCL160 弹性套柱销联轴器", "套", 380, 230),
    ("P-3003", "UCP208 立式带座轴承", "个", 95, 58),
    ("P-3004", "6308-2RS 深沟球轴承", "套", 46, 28),
    ("P-4001", "VFD-M 2.2kW 通用变频器", "台", 1650, 1150),
    ("P-4002", "VFD-E 11kW 矢量变频器", "台", 5400, 3900),
    ("P-4003", "XD-CB 电机控制柜（定制）", "套", 18500, 13200),
    ("P-5001", "08B-25T 链轮", "个", 68, 39),
    ("P-5002", "HTD8M-40 同步带轮", "个", 150, 92),
    ("P-5003", "电机安装底座（焊接件）", "件", 320, 190),
)
SPARE_PARTS = ("P-3002", "P-3003", "P-3004", "P-5001", "P-5002", "P-5003")

BRAND_WORDS = (
    "华信", "宏达", "金鑫", "永盛", "恒通", "鑫源", "瑞丰", "博远", "天成", "嘉禾", "盛世", "中科",
    "东方", "新锐", "联创", "正泰", "华美", "科达", "精诚", "兴旺", "佳联", "宇航", "凯利", "顺发",
    "立信", "万丰", "远大", "汇通", "德力", "明光", "长城", "海盛", "锦华", "富康", "同力", "创新",
)
# industry (Customer.industry), the word used in the company name
INDUSTRIES = (
    ("五金制品", "五金制品"), ("机械设备", "机械设备"), ("包装机械", "包装机械"),
    ("食品机械", "食品机械"), ("物流输送", "输送设备"), ("纺织机械", "纺织机械"),
    ("环保设备", "环保科技"), ("建材", "新型建材"), ("塑料机械", "塑胶机械"),
    ("自动化设备", "自动化设备"), ("水处理", "水处理设备"), ("陶瓷", "陶瓷机械"),
    ("农业机械", "农机装备"), ("印刷机械", "印刷机械"),
)
COMPANY_SUFFIXES = ("有限公司", "有限公司", "有限公司", "制造有限公司", "股份有限公司")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁沈任姚卢"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
         "超", "秀英", "霞", "平", "刚", "桂英", "建华", "志明", "海燕", "晓东", "国庆", "红梅", "春生", "文斌")
CONTACT_TITLES = ("总经理", "采购经理", "采购主管", "设备部经理", "技术主管", "财务经理", "厂长")

STAGE_WEIGHTS = (
    (Stage.research, 8), (Stage.screened, 8), (Stage.first_visit, 10), (Stage.needs, 10),
    (Stage.quoted, 11), (Stage.negotiating, 10), (Stage.contracted, 36), (Stage.lost, 7),
)
LOST_REASONS = (
    "价格高于竞争对手约8%，客户选择了宁波恒驰", "客户项目延期，预算取消", "交期无法满足客户要求（需15天内交货）",
    "客户指定进口品牌", "客户被同行收购，采购转由集团统一招标", "付款条件分歧：客户要求180天账期",
)
VISIT_SUMMARIES = {
    VisitKind.first_visit: (
        "首次拜访，介绍公司及{p}产品线，客户对能效等级感兴趣。",
        "初次上门，参观客户车间，了解现有设备以{p}为主。",
        "首访：与{t}交流，客户目前供应商交期不稳定。",
    ),
    VisitKind.needs: (
        "沟通需求：客户新产线需{p}约{n}台，关注交期和售后响应。",
        "技术交流，确认{p}的安装尺寸与工况参数。",
        "了解年度采购计划，客户预计下季度扩产。",
    ),
    VisitKind.negotiation: (
        "商务洽谈价格与付款方式，客户希望账期延长至90天。",
        "谈判：客户要求{p}单价再降3%，已反馈主管。",
        "就框架合同条款沟通，客户法务提出违约金条款修改。",
    ),
    VisitKind.return_visit: (
        "例行回访，了解{p}运行情况，客户反馈良好。",
        "回访：客户提出下批订单希望提前一周交货。",
        "回访并对账，确认本季度订单执行情况。",
        "节前回访，赠送公司台历，沟通明年需求。",
    ),
    VisitKind.service: (
        "上门服务：协助调试{p}，现场培训操作人员。",
        "售后走访，处理{p}异响问题，已更换轴承。",
        "服务回访，检查设备运行温升正常。",
    ),
}
NEXT_ACTIONS = ("电话回访确认需求", "发送报价单", "安排技术人员上门", "邀请客户来厂参观", "跟进合同审批",
                "回访了解使用情况", "对账并提醒付款", "跟进样机测试结果")

CARRIERS = (("顺丰速运", "SF"), ("德邦物流", "DPK"), ("中通快运", "ZTO"), ("安能物流", "ANE"),
            ("京东物流", "JDL"))
HUBS = {"广东": "广州白云转运中心", "浙江": "杭州萧山转运中心", "江苏": "苏州转运中心",
        "北京": "北京顺义转运中心", "天津": "天津武清转运中心"}
FACTORY_CITY = "东莞"

DUNNING_CAUSES = ("客户资金周转紧张", "客户付款审批流程长", "对账金额有差异", "发票未及时送达客户财务",
                  "客户以质量问题为由暂缓付款", "客户财务负责人变更", "客户下游回款慢")
DUNNING_RESULTS = ("客户承诺按期付款", "客户申请分两期付款", "已发送对账函，等待客户确认",
                   "未联系上财务负责人，改日再联系", "客户口头承诺月底前付款", "客户要求先处理质量问题")

TICKET_TEXT = {
    TicketKind.quality: ("{p} 运行时异响，振动偏大", "{p} 温升超标，客户担心烧机",
                         "{p} 漏油，油封处有渗漏", "{p} 到货外观有锈蚀"),
    TicketKind.usage: ("客户不清楚 {p} 参数设置，需要指导", "{p} 安装后转向相反，需现场指导接线",
                       "客户询问 {p} 的润滑保养周期"),
    TicketKind.delivery: ("订单延期交付，影响客户产线投产", "到货数量与装箱单不符，少发2件",
                          "运输途中木箱破损，{p} 外壳磕碰"),
    TicketKind.other: ("客户要求补开增值税专用发票", "客户要求提供 {p} 的3C认证及检测报告"),
}
SOLUTIONS = {
    TicketKind.quality: "更换轴承及油封，返厂检测同批次产品；质量部出具8D报告。",
    TicketKind.usage: "技术服务工程师上门调试并培训操作人员，提供图文操作指引。",
    TicketKind.delivery: "补发缺件并承担运费，与物流商协商赔偿；生产部调整排产优先级。",
    TicketKind.other: "财务部补开发票，质量部提供检测报告及认证证书复印件。",
}
# Recurring causes per category (the same cause across several tickets).
ROOT_CAUSES = {
    CauseCategory.material: ("轴承供应商批次游隙超差", "硅钢片来料铁损偏高"),
    CauseCategory.process: ("装配工序扭矩未按工艺执行", "定子绕组浸漆不充分"),
    CauseCategory.design: ("油封结构设计余量不足",),
    CauseCategory.transport: ("木箱包装防护不足导致运输磕碰",),
    CauseCategory.usage: ("客户未按说明书加注润滑油",),
    CauseCategory.other: ("生产排程与采购到料脱节", "仓库发货未执行双人复核"),
}
KIND_CAUSES = {
    TicketKind.quality: (CauseCategory.material, CauseCategory.material, CauseCategory.process,
                         CauseCategory.design),
    TicketKind.usage: (CauseCategory.usage,),
    TicketKind.delivery: (CauseCategory.transport, CauseCategory.other),
    TicketKind.other: (CauseCategory.other,),
}


@dataclass
class Ctx:
    """What the builders share while the demo is assembled in memory."""

    rng: random.Random
    today: date
    emp: dict[str, Employee] = field(default_factory=dict)  # by number
    teams: list[Team] = field(default_factory=list)
    team_sales: list[list[Employee]] = field(default_factory=list)
    sales: list[Employee] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    product_by_code: dict[str, Product] = field(default_factory=dict)
    customers: list[Customer] = field(default_factory=list)
    cust_info: dict[int, dict] = field(default_factory=dict)  # id(customer) -> facts
    orders: list[SalesOrder] = field(default_factory=list)
    shipments: dict[int, Shipment] = field(default_factory=dict)  # id(order) -> its shipment
    team_of: dict[str, int] = field(default_factory=dict)  # salesperson number -> team index
    violations: dict[str, ConductViolation] = field(default_factory=dict)
    # In-progress orders placed on purpose so that every order step is shown (days ago, step).
    fresh_orders: list[tuple[int, OrderStatus]] = field(default_factory=lambda: [
        (0, OrderStatus.received), (2, OrderStatus.under_review), (5, OrderStatus.scheduled),
        (8, OrderStatus.purchasing), (12, OrderStatus.shipped), (29, OrderStatus.in_production)])
    new: list = field(default_factory=list)  # every object to add
    marks: set = field(default_factory=set)  # one-off choices already made

    def add(self, *objs):
        self.new.extend(objs)
        return objs[0] if len(objs) == 1 else objs

    def supervisor_of(self, e: Employee) -> Employee:
        idx = self.team_of.get(e.number)
        return self.teams[idx].supervisor if idx is not None else self.emp[MARKER_NUMBER]


# --- Small helpers ---------------------------------------------------------------------------


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def round_to(value: Decimal, step: int) -> Decimal:
    return money((Decimal(value) / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step)


def between(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute), tzinfo=UTC)


def weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights, k=1)[0]


def satisfaction(rng: random.Random) -> int:
    return weighted(rng, ((1, 3), (2, 6), (3, 18), (4, 42), (5, 31)))


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def workdays_back(today: date, count: int) -> list[date]:
    """The ``count`` working days (Mon–Fri) before today, oldest first."""
    out, d = [], today - timedelta(days=1)
    while len(out) < count:
        if d.weekday() < 5:
            out.append(d)
        d -= timedelta(days=1)
    return out[::-1]


def count_workdays(start: date, end: date) -> int:
    return sum(1 for i in range((end - start).days + 1) if (start + timedelta(days=i)).weekday() < 5)


def next_workday(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def quarter_bounds(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, end - timedelta(days=1)


def assign_numbers(objs, prefix: str, when, width: int = 4) -> None:
    """Number rows per year in date order: ``SO20250001``. Rows of the same day keep the order
    they were made in (``sorted`` is stable): a tie broken by ``id()``, a memory address, numbered
    them differently on every run."""
    counters: dict[int, int] = defaultdict(int)
    for obj in sorted(objs, key=when):
        year = when(obj).year
        counters[year] += 1
        obj.number = f"{prefix}{year}{counters[year]:0{width}d}"


# --- Entry point -----------------------------------------------------------------------------


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
            from .jobs import recompute_risk

            recompute_risk(today(), {"risk_changed": 0})
            # Closed cycles keep the scorecards they closed with (6.2).
            from .appraisal import freeze

            for cycle in db.session.scalars(select(AppraisalCycle).where(AppraisalCycle.status == "closed")):
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
        _people(ctx, users, linked)
        _products(ctx)
        _market(ctx)
        _customers(ctx)
        _sales_pipeline(ctx)
        _receivables(ctx)
        _service(ctx)
        _conduct(ctx)
        _training(ctx)
        _appraisal(ctx)
        _rewards(ctx)
    db.session.add_all(ctx.new)
    db.session.flush()


# --- People ----------------------------------------------------------------------------------


def _people(ctx: Ctx, users: dict[str, User], linked: set[int]) -> None:
    rng, today = ctx.rng, ctx.today
    ctx.teams = [ctx.add(Team(name=name, region=region)) for name, region, _ in TEAMS]
    ctx.team_sales = [[] for _ in TEAMS]
    for number, username, name, name_en, position, team_idx, _role, dept, hired in PEOPLE:
        user = users.get(number)
        emp = Employee(
            number=number, name=name, name_en=name_en, department=dept, position=position,
            team=ctx.teams[team_idx] if team_idx is not None else None,
            hire_date=today - timedelta(days=hired), phone=phone(rng),
            email=f"{username or number.lower()}@{EMAIL_DOMAIN}",
            status=EmployeeStatus.left if number == "E0023" else EmployeeStatus.active,
        )
        if user is not None and user.id not in linked:
            emp.user_id = user.id
            linked.add(user.id)
        ctx.emp[number] = ctx.add(emp)
        if position is Position.supervisor:
            ctx.teams[team_idx].supervisor = emp
        elif position is Position.salesperson and team_idx is not None:
            ctx.team_sales[team_idx].append(emp)
    manager = ctx.emp[MARKER_NUMBER]
    for team, members in zip(ctx.teams, ctx.team_sales, strict=True):
        team.supervisor.manager = manager
        for e in members:
            e.manager = team.supervisor
    ctx.emp["E0023"].manager = ctx.teams[2].supervisor
    ctx.sales = [e for members in ctx.team_sales for e in members]
    ctx.sales.sort(key=lambda e: e.number)
    ctx.team_of = {e.number: i for i, members in enumerate(ctx.team_sales) for e in members}


def _products(ctx: Ctx) -> None:
    for code, name, unit, price, cost in PRODUCTS:
        p = ctx.add(Product(code=code, name=name, unit=unit, list_price=money(price),
                            unit_cost=money(cost)))
        ctx.products.append(p)
        ctx.product_by_code[code] = p


def _market(ctx: Ctx) -> None:
    rng, today = ctx.rng, ctx.today
    e = ctx.emp
    reports = (
        ("珠三角包装机械行业电机需求调研", "广东", "包装机械", "E0005", "E0002"),
        ("广东陶瓷产区设备更新情况分析", "广东", "陶瓷", "E0009", "E0002"),
        ("长三角纺织机械节能改造市场报告", "浙江", "纺织机械", "E0006", "E0003"),
        ("苏南自动化设备制造商采购习惯调研", "江苏", "自动化设备", "E0011", "E0003"),
        ("京津冀环保设备市场容量预估", "北京", "环保设备", "E0014", "E0004"),
        ("天津港物流输送设备客户名录与需求", "天津", "物流输送", "E0015", None),
    )
    for i, (title, region, industry, author, reviewer) in enumerate(reports):
        end = today - timedelta(days=30 + 110 * i)
        ctx.add(MarketReport(
            title=title, region=region, industry=industry,
            period_start=end - timedelta(days=90), period_end=end,
            findings=f"{region}{industry}客户约六成设备使用超过8年，存在能效升级需求；"
                     "价格敏感度高，交期与售后响应是选择供应商的前两项因素。",
            author=e[author], reviewer=e[reviewer] if reviewer else None,
        ))
    competitors = (
        ("宁波恒驰电机有限公司", "三相异步电机、变频电机", PriceLevel.low, "低价抢占中小客户，经销商网络广",
         "价格低、库存充足", "能效等级偏低，售后响应慢"),
        ("常州万象传动机械有限公司", "斜齿轮减速机、蜗轮减速机", PriceLevel.medium, "主攻行业大客户，提供选型软件",
         "选型服务好、品类全", "交期长，定制能力一般"),
        ("温州瑞力减速机厂", "蜗轮蜗杆减速机", PriceLevel.low, "电商渠道销售，走量为主",
         "价格极低", "质量不稳定，无技术服务团队"),
        ("佛山捷达电气有限公司", "变频器、电机控制柜", PriceLevel.medium, "与系统集成商捆绑销售",
         "方案能力强", "电机产品线弱"),
        ("天津北方动力机电有限公司", "大功率电机、圆柱齿轮减速器", PriceLevel.high, "国企背景，参与招投标",
         "品牌知名度高，资质全", "价格高，小批量订单不接"),
    )
    price_refs = (("三相异步电动机 4kW", 2680), ("斜齿轮减速电机 R77", 5200), ("蜗轮减速机 RV63", 860),
                  ("通用变频器 2.2kW", 1650), ("圆柱齿轮减速器 ZQ350", 6300))
    level_factor = {PriceLevel.low: 0.88, PriceLevel.medium: 0.98, PriceLevel.high: 1.12}
    proposals = (
        ("针对恒驰低价策略，推出YE3系列年度框架价，锁定老客户", "E0005", ProposalStatus.adopted),
        ("联合技术部开发在线选型工具，对标万象", "E0006", ProposalStatus.proposed),
        ("对瑞力客户宣传我司质保期延长至24个月", "E0013", ProposalStatus.done),
        ("控制柜与电机打包报价，对抗捷达的集成方案", "E0010", ProposalStatus.adopted),
        ("参与天津地区国企招标需补充资质，建议申请两化融合认证", "E0015", ProposalStatus.rejected),
        ("建立竞品价格月度收集机制", "E0002", ProposalStatus.done),
    )
    comps = []
    for i, (name, products, level, strategy, strengths, weaknesses) in enumerate(competitors):
        c = ctx.add(Competitor(name=name, main_products=products, price_level=level,
                               marketing_strategy=strategy, strengths=strengths,
                               weaknesses=weaknesses))
        comps.append(c)
        for j in range(2):
            label, base = price_refs[(i + j) % len(price_refs)]
            for k in range(6):
                drift = 1 - 0.01 * k + rng.uniform(-0.02, 0.02)
                ctx.add(CompetitorPrice(
                    competitor=c, product=label,
                    price=round_to(Decimal(str(base * level_factor[level] * drift)), 10),
                    observed_on=today - timedelta(days=700 - 120 * k + rng.randint(0, 20)),
                    source=rng.choice(("客户提供的报价单", "展会获取", "经销商反馈", "电商平台公开价")),
                ))
    for i, (text, proposer, status) in enumerate(proposals):
        ctx.add(Countermeasure(competitor=comps[i % len(comps)], proposal=text,
                               proposer=ctx.emp[proposer], status=status))


# --- Customers and the sales pipeline -----------------------------------------------------------


def _customers(ctx: Ctx) -> None:
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
                days_back = {
                    Stage.research: (5, 90), Stage.screened: (20, 150), Stage.first_visit: (30, 250),
                    Stage.needs: (45, 320), Stage.quoted: (60, 450), Stage.negotiating: (80, 500),
                    Stage.contracted: (200, 730), Stage.lost: (120, 700),
                }[stage]
                first_contact = today - timedelta(days=rng.randint(*days_back))
                ctx.customers.append(cust)
                ctx.cust_info[id(cust)] = {
                    "contacts": contacts, "first": first_contact, "discount": rng.uniform(0.88, 0.98),
                    "province": province, "city": city, "visits": [],
                }


def _visits(ctx: Ctx, cust: Customer, start: date, due_soon: bool) -> None:
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


def _quotation(ctx: Ctx, cust: Customer, issued: date, status: QuotationStatus,
               products: list[Product] | None = None) -> Quotation:
    rng = ctx.rng
    disc = ctx.cust_info[id(cust)]["discount"]
    q = ctx.add(Quotation(customer=cust, issued_on=issued, valid_until=issued + timedelta(days=30),
                          status=status, number="",
                          note=rng.choice((None, "含税价，含运费", "价格含13%增值税，不含安装",
                                           "交期：收到预付款后25天"))))
    for p in products or rng.sample(ctx.products, rng.randint(1, 4)):
        ctx.add(QuotationLine(quotation=q, product=p, qty=_qty(rng, p),
                              unit_price=money(round(float(p.list_price) * disc))))
    return q


def _qty(rng: random.Random, p: Product) -> Decimal:
    price = p.list_price
    if price < 200:
        return Decimal(rng.randrange(50, 501, 10))
    if price < 1000:
        return Decimal(rng.randrange(10, 121, 5))
    if price < 5000:
        return Decimal(rng.randint(2, 40))
    return Decimal(rng.randint(1, 8))


def _sales_pipeline(ctx: Ctx) -> None:
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
            _visits(ctx, cust, info["first"], due_soon)
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
                _order(ctx, cust, None, between(rng, today - timedelta(days=700), today - timedelta(days=2)),
                       spare=True)
        else:
            _visits(ctx, cust, info["first"], due_soon)
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
                o = _order(ctx, cust, c, d)
                if o.status is not OrderStatus.cancelled:
                    order_total += sum((ln.qty * ln.unit_price for ln in o.lines), Decimal(0))
                d += timedelta(days=rng.randint(18, 45))
            if status is ContractStatus.executing and ctx.fresh_orders:
                ago, step = ctx.fresh_orders.pop(0)
                o = _order(ctx, cust, c, max(today - timedelta(days=ago), sign), force=step)
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


def _order(ctx: Ctx, cust: Customer, contract: Contract | None, order_date: date,
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
        ctx.add(OrderLine(order=o, product=p, qty=_qty(rng, p), unit_price=price, unit_cost=p.unit_cost))
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
    if o.status is not OrderStatus.received:
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
                note = {
                    Department.production: "需加班排产，交期紧张",
                    Department.purchasing: "轴承需外购，供应商交期约10天",
                    Department.warehouse: "成品库存不足，需等待生产入库",
                    Department.quality: "客户要求出厂检测报告，需增加型式试验",
                    Department.finance: "客户有逾期应收，建议款到发货",
                }[dept]
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


# --- Receivables and collection ------------------------------------------------------------------


def _receivables(ctx: Ctx) -> None:
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
                receivable=rec, status=legal, counsel="广东法丞律师事务所 黎志远律师",
                filed_on=None if legal is LegalStatus.review else due + timedelta(days=rng.randint(110, 120)),
                amount_recovered=recovered if legal is LegalStatus.enforcement else money(0),
                notes={LegalStatus.review: "催收记录已满，法务评估诉讼成本与胜诉可能。",
                       LegalStatus.filed: "已向客户所在地人民法院提起诉讼，等待开庭。",
                       LegalStatus.enforcement: "判决胜诉，已申请强制执行，首笔执行款已到账。"}[legal],
            ))
        elif p.get("special") == "written_off":
            ctx.add(LegalCase(
                receivable=rec, status=LegalStatus.closed, counsel="广东法丞律师事务所 黎志远律师",
                filed_on=due + timedelta(days=rng.randint(110, 120)), amount_recovered=money(0),
                notes="被执行人无可供执行财产，法院裁定终结本次执行程序；经总经理审批，余额核销。",
            ))
    assign_numbers(receivables, "AR", lambda r: r.issued_on)


# --- After-sales service -----------------------------------------------------------------------


def _service(ctx: Ctx) -> None:
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
            rng, ((Severity.critical, 10), (Severity.major, 35), (Severity.minor, 55)))
        t = ServiceTicket(
            customer=o.customer, order=o, product=product, kind=kind, severity=severity,
            reported_on=reported, number="",
            due_date=reported + timedelta(days={Severity.critical: 2, Severity.major: 5,
                                                Severity.minor: 10}[severity]),
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
            t.departments = {TicketKind.quality: "质量部、生产部", TicketKind.usage: "技术部",
                             TicketKind.delivery: "生产部、仓储部、物流", TicketKind.other: "财务部、质量部"}[t.kind]
        if step >= order_idx[TicketStatus.solution_defined]:
            t.solution = SOLUTIONS[t.kind]
        if t.status is TicketStatus.closed:
            t.closed_on = min(t.reported_on + timedelta(days=rng.randint(1, 25)), today)
            t.satisfaction = satisfaction(rng)
            t.summary = rng.choice(("问题已解决，客户确认设备运行正常。", "已按方案处理完毕，客户签字确认。",
                                    "补发/更换完成，客户认可处理结果。", "客户对处理时效有意见，但接受结果。"))
            if rng.random() < 0.85:
                rating = max(1, min(5, t.satisfaction + rng.choice((-1, 0, 0, 0, 1))))
                ctx.add(ServiceFeedback(
                    ticket=t, received_on=min(t.closed_on + timedelta(days=rng.randint(0, 7)), today),
                    rating=rating,
                    opinion={1: "响应太慢，影响生产", 2: "处理结果一般，希望改进", 3: "基本满意",
                             4: "服务及时，技术人员专业", 5: "非常满意，感谢快速响应"}[rating],
                    forwarded_to="质量部" if t.kind is TicketKind.quality else "销售部",
                ))
        if step >= order_idx[TicketStatus.solution_defined] and (
                t.kind is not TicketKind.other or rng.random() < 0.5):
            category = rng.choice(KIND_CAUSES[t.kind])
            ctx.add(RootCause(
                ticket=t, category=category, cause=rng.choice(ROOT_CAUSES[category]),
                corrective_action="对本批次产品返修/更换，追溯同批次发货并主动排查",
                preventive_action={
                    CauseCategory.material: "增加来料抽检比例，对供应商发出整改通知（SCAR）",
                    CauseCategory.process: "修订作业指导书，关键工序增加扭矩记录与首件检验",
                    CauseCategory.design: "技术部评审油封选型，改为双唇骨架油封",
                    CauseCategory.transport: "改用加厚木箱并加装防震垫，出货拍照留存",
                    CauseCategory.usage: "随货附带保养卡，交付时现场培训",
                    CauseCategory.other: "产销协调会每周召开，发货执行双人复核",
                }[category],
                owner=quality_staff if category in (CauseCategory.material, CauseCategory.design)
                else production_staff,
                due_date=t.reported_on + timedelta(days=30),
                verified=t.status is TicketStatus.closed,
            ))
    assign_numbers(tickets, "FW", lambda t: t.reported_on)


# --- Conduct -----------------------------------------------------------------------------------


def _conduct(ctx: Ctx) -> None:
    rng, today = ctx.rng, ctx.today
    e = ctx.emp
    days = workdays_back(today, 30)
    staff = ctx.sales + [t.supervisor for t in ctx.teams] + [e["E0017"], e["E0018"]]
    manager = e[MARKER_NUMBER]

    def approver_for(emp: Employee) -> Employee:
        return manager if emp.position is not Position.salesperson else ctx.supervisor_of(emp)

    # Leave requests: approved ones inside the attendance window become "on leave" days.
    on_leave: dict[tuple[str, date], bool] = {}
    leaves = []

    def leave(emp, ltype, start_i, n_days, status, reason, late_submit=False, window=True):
        if window:
            span = days[start_i:start_i + n_days]
            start, end = span[0], span[-1]
        else:
            start = next_workday(today + timedelta(days=start_i))
            end = start
            while count_workdays(start, end) < n_days:
                end += timedelta(days=1)
        n = Decimal(count_workdays(start, end))
        submitted = None
        if status is not LeaveStatus.draft:
            submitted = start + timedelta(days=1) if late_submit else start - timedelta(days=rng.randint(2, 10))
            submitted = min(submitted, today)
        lr = ctx.add(LeaveRequest(
            employee=emp, leave_type=ltype, start_date=start, end_date=end, days=n, reason=reason,
            status=status, submitted_on=submitted,
            approver=approver_for(emp) if status in (LeaveStatus.approved, LeaveStatus.rejected,
                                                     LeaveStatus.cancelled) else None,
        ))
        leaves.append(lr)
        if status is LeaveStatus.approved and window:
            for d in span:
                on_leave[(emp.number, d)] = True
        return lr

    leave(e["E0005"], LeaveType.annual, 4, 2, LeaveStatus.approved, "回老家探亲")
    leave(e["E0010"], LeaveType.sick, 11, 1, LeaveStatus.approved, "发烧就医（附医院证明）", late_submit=True)
    leave(e["E0014"], LeaveType.personal, 17, 1, LeaveStatus.approved, "办理房产过户手续")
    leave(e["E0003"], LeaveType.annual, 20, 3, LeaveStatus.approved, "年假休息")
    leave(e["E0016"], LeaveType.marriage, 24, 3, LeaveStatus.approved, "婚假")
    leave(e["E0011"], LeaveType.personal, 8, 1, LeaveStatus.rejected, "私事", window=True)
    leave(e["E0007"], LeaveType.annual, 13, 2, LeaveStatus.cancelled, "原计划出游，因客户来访取消")
    leave(e["E0006"], LeaveType.annual, 5, 3, LeaveStatus.submitted, "国庆后错峰休假", window=False)
    leave(e["E0013"], LeaveType.personal, 9, 1, LeaveStatus.submitted, "孩子家长会", window=False)
    leave(e["E0012"], LeaveType.annual, 15, 2, LeaveStatus.draft, "年底调休", window=False)
    leave(e["E0009"], LeaveType.sick, 2, 1, LeaveStatus.draft, "复诊", window=False)
    # Older history.
    for i, emp in enumerate(ctx.sales):
        start = next_workday(today - timedelta(days=60 + 37 * i))
        status = (LeaveStatus.approved, LeaveStatus.approved, LeaveStatus.rejected,
                  LeaveStatus.cancelled)[i % 4]
        n = 1 + i % 3
        end = start
        while count_workdays(start, end) < n:
            end += timedelta(days=1)
        lr = ctx.add(LeaveRequest(
            employee=emp, leave_type=(LeaveType.annual, LeaveType.sick, LeaveType.personal)[i % 3],
            start_date=start, end_date=end, days=Decimal(count_workdays(start, end)),
            reason=("年假", "感冒就医", "家中有事")[i % 3], status=status,
            submitted_on=start - timedelta(days=3), approver=approver_for(emp),
        ))
        leaves.append(lr)
    half = next_workday(today - timedelta(days=45))
    leaves.append(ctx.add(LeaveRequest(employee=e["E0008"], leave_type=LeaveType.personal,
                                       start_date=half, end_date=half, days=Decimal("0.5"),
                                       reason="下午办理证件", status=LeaveStatus.approved,
                                       submitted_on=half - timedelta(days=1),
                                       approver=approver_for(e["E0008"]))))
    # Attendance for the last 30 working days.
    trips = {(e["E0006"].number, d) for d in days[6:9]} | {(e["E0013"].number, d) for d in days[14:16]}
    late_days = {days[3], days[10], days[18], days[26]}  # sales4 (刘洋) keeps coming late
    for emp in staff:
        for d in days:
            key = (emp.number, d)
            ci = co = None
            if key in on_leave:
                status = AttendanceStatus.on_leave
            elif key in trips:
                status = AttendanceStatus.business_trip
            elif emp.number == "E0008" and d in late_days:
                status = AttendanceStatus.late
            elif emp.number == "E0016" and d == days[21]:
                status = AttendanceStatus.absent
            else:
                status = weighted(rng, ((AttendanceStatus.normal, 92), (AttendanceStatus.late, 4),
                                        (AttendanceStatus.left_early, 3), (AttendanceStatus.absent, 1)))
            if status is AttendanceStatus.normal:
                ci, co = time(8, rng.randint(20, 59)), time(17, 30 + rng.randint(0, 29))
                if rng.random() < 0.3:
                    co = time(18 + rng.randint(0, 1), rng.randint(0, 59))
            elif status is AttendanceStatus.late:
                ci, co = time(9, rng.randint(3, 55)), time(17, 30 + rng.randint(0, 29))
            elif status is AttendanceStatus.left_early:
                ci, co = time(8, rng.randint(25, 59)), time(rng.randint(14, 16), rng.randint(0, 59))
            note = {AttendanceStatus.absent: "未请假未到岗", AttendanceStatus.business_trip: "出差拜访客户",
                    AttendanceStatus.on_leave: "已批准请假",
                    AttendanceStatus.left_early: "提前离岗"}.get(status)
            ctx.add(Attendance(employee=emp, work_date=d, check_in=ci, check_out=co, status=status,
                               note=note))
    # Violations (4.1–4.4) and the integrity register (4.2.2).
    s1, s2, s3 = (t.supervisor for t in ctx.teams)
    hr = e["E0018"]
    violations = {
        "late": ctx.add(ConductViolation(
            employee=e["E0008"], occurred_on=days[26], clause="4.1.1", severity=ConductSeverity.minor,
            facts="近一个月迟到4次，经提醒未改正。", reported_by=s1)),
        "games": ctx.add(ConductViolation(
            employee=e["E0011"], occurred_on=today - timedelta(days=75), clause="4.1.3",
            severity=ConductSeverity.minor, facts="工作时间在办公室玩手机游戏，被巡查发现。", reported_by=s2)),
        "rude": ctx.add(ConductViolation(
            employee=e["E0010"], occurred_on=today - timedelta(days=130), clause="4.4.1",
            severity=ConductSeverity.moderate, facts="电话催款时言语粗鲁，客户投诉至总经理。", reported_by=s2)),
        "secret": ctx.add(ConductViolation(
            employee=e["E0015"], occurred_on=today - timedelta(days=210), clause="4.2.1",
            severity=ConductSeverity.moderate, facts="将公司内部价格表转发给非客户第三方。", reported_by=s3)),
        "unfair": ctx.add(ConductViolation(
            employee=e["E0013"], occurred_on=today - timedelta(days=520), clause="4.2.3",
            severity=ConductSeverity.serious, facts="任主管期间向客户散布竞争对手质量不实信息以获取订单。",
            reported_by=manager)),
        "bribe": ctx.add(ConductViolation(
            employee=e["E0023"], occurred_on=today - timedelta(days=300), clause="4.2.2",
            severity=ConductSeverity.serious, facts="收受客户回扣人民币2万元，并私自给予额外折扣。",
            reported_by=hr)),
        "conflict": ctx.add(ConductViolation(
            employee=e["E0016"], occurred_on=today - timedelta(days=20), clause="4.3.2",
            severity=ConductSeverity.minor, facts="因发货优先级与仓储部同事争执，相互推诿。", reported_by=s3)),
    }
    ctx.violations = violations
    gifts = (
        ("E0005", "中秋节客户赠送月饼礼盒", 380, Handling.handed_in),
        ("E0006", "客户赠送购物卡一张", 2000, Handling.returned),
        ("E0013", "客户邀请至高档会所宴请", 3000, Handling.declined),
        ("E0009", "客户赠送茶叶两盒", 600, Handling.handed_in),
        ("E0014", "客户年会抽奖所得平板电脑", 2800, Handling.pending),
        ("E0023", "客户私下给予现金回扣", 20000, Handling.pending),
        ("E0010", "客户赠送高尔夫球会体验券", 1500, Handling.declined),
        ("E0007", "春节客户寄送土特产", 300, Handling.handed_in),
    )
    for i, (number, desc, value, handling) in enumerate(gifts):
        emp = e[number]
        custs = [c for c in ctx.customers if c.owner is emp] or ctx.customers
        ctx.add(IntegrityRecord(employee=emp, customer=rng.choice(custs),
                                offered_on=today - timedelta(days=20 + 45 * i),
                                description=desc, value=money(value), handling=handling))


# --- Training ----------------------------------------------------------------------------------

TRAINING_ITEMS = (
    ("新产品知识：YE3高效电机系列", Topic.product, Method.internal, "技术部 王工", 4),
    ("顾问式销售技巧", Topic.sales_skills, Method.external, "广州卓越企业管理咨询有限公司", 12),
    ("区域市场分析与客户画像", Topic.market_analysis, Method.internal, "销售部 赵建国", 6),
    ("《民法典》合同编与应收账款风险", Topic.law, Method.external, "广东法丞律师事务所", 6),
    ("销售人员职业道德与廉洁自律", Topic.ethics, Method.internal, "人力资源部 何丽娟", 3),
    ("减速机选型与应用案例", Topic.product, Method.online, "企业网校", 4),
    ("商务谈判实战演练", Topic.sales_skills, Method.internal, "销售部 陈志强", 8),
    ("竞争对手分析方法", Topic.market_analysis, Method.online, "企业网校", 3),
    ("反不正当竞争法与商业秘密保护", Topic.law, Method.online, "企业网校", 2),
    ("变频器与控制柜方案销售", Topic.product, Method.internal, "技术部 李工", 6),
    ("大客户管理（KAM）", Topic.sales_skills, Method.external, "上海博商管理学院", 16),
    ("诚信经营案例分享", Topic.ethics, Method.online, "企业网校", 2),
)
ASSESSMENT_BY_TOPIC = {
    Topic.product: AssessmentKind.exam, Topic.sales_skills: AssessmentKind.practical,
    Topic.market_analysis: AssessmentKind.assignment, Topic.law: AssessmentKind.exam,
    Topic.ethics: AssessmentKind.assignment,
}


def _training(ctx: Ctx) -> None:
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
    certs = (
        ("E0005", "销售管理师（三级）", "中国商业联合会", 900, 1095),
        ("E0006", "国际贸易业务员资格证", "中国对外贸易经济合作企业协会", 1400, None),
        ("E0002", "高级销售经理", "中国市场学会", 1800, 1825),
        ("E0009", "电工作业操作证（低压）", "广东省应急管理厅", 700, 2190),
        ("E0013", "ISO 9001 内审员", "中国质量认证中心", 1500, 1095),
        ("E0014", "销售管理师（三级）", "中国商业联合会", 400, 1095),
        ("E0010", "变频器应用工程师", "中国电工技术学会", 200, 1095),
    )
    for number, name, issuer, ago, valid in certs:
        obtained = today - timedelta(days=ago)
        ctx.add(Certification(employee=e[number], name=name, issuer=issuer, obtained_on=obtained,
                              expires_on=obtained + timedelta(days=valid) if valid else None))
    moves = (
        ("E0002", MoveKind.promotion, Position.salesperson, Position.supervisor, 1460,
         "连续两年考核A级，完成销售管理师培训，晋升华南一组主管。"),
        ("E0003", MoveKind.promotion, Position.salesperson, Position.supervisor, 1100,
         "年度销售额排名第一，带教新人成效显著。"),
        ("E0013", MoveKind.demotion, Position.supervisor, Position.salesperson, 505,
         "违反4.2.3不正当竞争，依7.2给予降职处分，由主管调整为业务员。"),
        ("E0004", MoveKind.promotion, Position.salesperson, Position.supervisor, 500,
         "华北三组主管空缺，考核B级以上且持有销售管理相关培训证明，经评审晋升。"),
        ("E0005", MoveKind.pay_raise, Position.salesperson, Position.salesperson, 300,
         "上年度绩效A级，按6.4调薪一级。"),
        ("E0011", MoveKind.rotation, Position.salesperson, Position.salesperson, 800,
         "由华南一组轮岗至华东二组，支援苏南区域开发。"),
    )
    for number, kind, src, dst, ago, basis in moves:
        ctx.add(CareerMove(employee=e[number], kind=kind, from_position=src, to_position=dst,
                           effective_on=today - timedelta(days=ago), basis=basis))


# --- Appraisal ---------------------------------------------------------------------------------


def _appraisal(ctx: Ctx) -> None:
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


# --- Rewards and penalties -----------------------------------------------------------------------


def _rewards(ctx: Ctx) -> None:
    today = ctx.today
    e, hr = ctx.emp, ctx.emp["E0018"]
    last_year = today.year - 1
    rewards = (
        ("E0005", RewardKind.performance, date(today.year, 1, 20), 10000, "年度销售冠军奖杯",
         f"{last_year}年度销售额第一名，完成率138%", f"{last_year}年度考核A级（7.1.1）"),
        ("E0006", RewardKind.performance, date(today.year, 1, 20), 6000, None,
         f"{last_year}年度回款率100%，无逾期应收", f"{last_year}年度考核A级"),
        ("E0014", RewardKind.performance, today - timedelta(days=40), 3000, None,
         "第三季度新客户开发数量第一", "季度考核A级"),
        ("E0010", RewardKind.innovation, today - timedelta(days=160), 3000, None,
         "提出控制柜与电机打包报价方案，带动控制柜销量增长", "合理化建议被采纳（7.1.2）"),
        ("E0007", RewardKind.innovation, today - timedelta(days=260), 0, "平板电脑一台",
         "编写客户需求调研模板并在全部门推广", "合理化建议被采纳"),
        ("E0002", RewardKind.teamwork, date(today.year, 1, 20), 8000, "优秀团队锦旗",
         f"华南一组{last_year}年度团队目标完成率125%", "团队协作奖（7.1.3）"),
        ("E0009", RewardKind.teamwork, today - timedelta(days=90), 1500, None,
         "协助新同事完成首个大客户签约", "经验分享与带教（4.3.3）"),
    )
    for number, kind, on, amount, prize, reason, basis in rewards:
        ctx.add(Reward(employee=e[number], kind=kind, awarded_on=min(on, today), amount=money(amount),
                       prize=prize, reason=reason, basis=basis))
    v = ctx.violations
    penalties = (
        ("late", PenaltyKind.warning, 0, "多次迟到，给予口头警告"),
        ("games", PenaltyKind.warning, 0, "工作时间玩游戏，给予警告"),
        ("rude", PenaltyKind.serious_warning, 0, "对客户言语不当造成投诉，给予严重警告"),
        ("secret", PenaltyKind.fine, 2000, "泄露内部价格信息，扣发当月奖金2000元"),
        ("unfair", PenaltyKind.demotion, 0, "不正当竞争，由销售主管降为业务员"),
        ("bribe", PenaltyKind.dismissal, 0, "收受客户回扣，解除劳动合同"),
    )
    for key, kind, amount, reason in penalties:
        viol = v[key]
        proposed = key == "late"  # one still waiting for HR's decision (7.2)
        ctx.add(Penalty(employee=viol.employee, kind=kind,
                        decided_on=min(viol.occurred_on + timedelta(days=7), today),
                        amount=money(amount), reason=reason, clause=viol.clause, violation=viol,
                        approver=None if proposed else hr,
                        status=PenaltyStatus.proposed if proposed else PenaltyStatus.approved))
