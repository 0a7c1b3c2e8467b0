"""Collection: why customers pay late, what dunning achieved, the lawyer and where each legal case
stands."""

from __future__ import annotations

from ...models.receivables import LegalStatus

DUNNING_CAUSES = ("客户资金周转紧张", "客户付款审批流程长", "对账金额有差异", "发票未及时送达客户财务",
                  "客户以质量问题为由暂缓付款", "客户财务负责人变更", "客户下游回款慢")
DUNNING_RESULTS = ("客户承诺按期付款", "客户申请分两期付款", "已发送对账函，等待客户确认",
                   "未联系上财务负责人，改日再联系", "客户口头承诺月底前付款", "客户要求先处理质量问题")

COUNSEL = "广东法丞律师事务所 黎志远律师"  # every legal case's lawyer
# A legal case's notes by its status (closed: enforcement ended without assets, the rest written off).
LEGAL_NOTES = {
    LegalStatus.review: "催收记录已满，法务评估诉讼成本与胜诉可能。",
    LegalStatus.filed: "已向客户所在地人民法院提起诉讼，等待开庭。",
    LegalStatus.enforcement: "判决胜诉，已申请强制执行，首笔执行款已到账。",
    LegalStatus.closed: "被执行人无可供执行财产，法院裁定终结本次执行程序；经总经理审批，余额核销。",
}
