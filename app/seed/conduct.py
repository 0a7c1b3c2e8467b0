"""Conduct: leave, attendance, violations and the integrity register."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from ..models import Attendance, ConductViolation, Employee, IntegrityRecord, LeaveRequest
from ..models.conduct import AttendanceStatus, LeaveStatus, LeaveType
from ..models.conduct import Severity as ConductSeverity
from ..models.people import Position
from .context import Ctx, count_workdays, money, next_workday, weighted, workdays_back
from .data.conduct import ATTENDANCE_NOTES, GIFTS
from .data.people import MARKER_NUMBER


def add_conduct(ctx: Ctx) -> None:
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
            note = ATTENDANCE_NOTES.get(status)
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
    for i, (number, desc, value, handling) in enumerate(GIFTS):
        emp = e[number]
        custs = [c for c in ctx.customers if c.owner is emp] or ctx.customers
        ctx.add(IntegrityRecord(employee=emp, customer=rng.choice(custs),
                                offered_on=today - timedelta(days=20 + 45 * i),
                                description=desc, value=money(value), handling=handling))
