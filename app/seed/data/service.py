"""After-sales service: what tickets say, how urgent they are, who works on them, how they are
solved and closed, what customers answer, their root causes and the actions against them."""

from __future__ import annotations

from ...models.service import CauseCategory, Severity, TicketKind

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
SEVERITY_WEIGHTS = ((Severity.critical, 10), (Severity.major, 35), (Severity.minor, 55))
# Days to resolve a demo ticket by severity (the figures the demo was made with; the setting
# ticket_due_days defaults to 1 / 3 / 7).
DUE_DAYS = {Severity.critical: 2, Severity.major: 5, Severity.minor: 10}
# The departments a ticket is coordinated with, by its kind.
TICKET_DEPARTMENTS = {
    TicketKind.quality: "质量部、生产部", TicketKind.usage: "技术部",
    TicketKind.delivery: "生产部、仓储部、物流", TicketKind.other: "财务部、质量部",
}
CLOSING_SUMMARIES = ("问题已解决，客户确认设备运行正常。", "已按方案处理完毕，客户签字确认。",
                     "补发/更换完成，客户认可处理结果。", "客户对处理时效有意见，但接受结果。")
# The customer's opinion by the rating of their feedback.
OPINIONS = {1: "响应太慢，影响生产", 2: "处理结果一般，希望改进", 3: "基本满意",
            4: "服务及时，技术人员专业", 5: "非常满意，感谢快速响应"}
CORRECTIVE_ACTION = "对本批次产品返修/更换，追溯同批次发货并主动排查"
PREVENTIVE_ACTIONS = {
    CauseCategory.material: "增加来料抽检比例，对供应商发出整改通知（SCAR）",
    CauseCategory.process: "修订作业指导书，关键工序增加扭矩记录与首件检验",
    CauseCategory.design: "技术部评审油封选型，改为双唇骨架油封",
    CauseCategory.transport: "改用加厚木箱并加装防震垫，出货拍照留存",
    CauseCategory.usage: "随货附带保养卡，交付时现场培训",
    CauseCategory.other: "产销协调会每周召开，发货执行双人复核",
}
