"""Rewards and penalties."""

from __future__ import annotations

from datetime import date, timedelta

from ..models import Penalty, Reward
from ..models.rewards import PenaltyStatus, RewardKind
from .context import Ctx, money
from .data.rewards import PENALTIES


def add_rewards(ctx: Ctx) -> None:
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
    for key, kind, amount, reason in PENALTIES:
        viol = v[key]
        proposed = key == "late"  # one still waiting for HR's decision (7.2)
        ctx.add(Penalty(employee=viol.employee, kind=kind,
                        decided_on=min(viol.occurred_on + timedelta(days=7), today),
                        amount=money(amount), reason=reason, clause=viol.clause, violation=viol,
                        approver=None if proposed else hr,
                        status=PenaltyStatus.proposed if proposed else PenaltyStatus.approved))
