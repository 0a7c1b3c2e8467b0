"""Rewards and penalties: the penalty each violation earned (7.2). The rewards are dated from today
(this year's January, so many days ago) and stay with their builder."""

from __future__ import annotations

from ...models.rewards import PenaltyKind

# violation (as the conduct builder keys them), penalty, amount, reason
PENALTIES = (
    ("late", PenaltyKind.warning, 0, "多次迟到，给予口头警告"),
    ("games", PenaltyKind.warning, 0, "工作时间玩游戏，给予警告"),
    ("rude", PenaltyKind.serious_warning, 0, "对客户言语不当造成投诉，给予严重警告"),
    ("secret", PenaltyKind.fine, 2000, "泄露内部价格信息，扣发当月奖金2000元"),
    ("unfair", PenaltyKind.demotion, 0, "不正当竞争，由销售主管降为业务员"),
    ("bribe", PenaltyKind.dismissal, 0, "收受客户回扣，解除劳动合同"),
)
