"""Orders: the departments that review them, the carriers and hubs that ship them."""

from __future__ import annotations

from ...models.orders import Department

REVIEW_DEPARTMENTS = (
    (Department.production, "E0019"),
    (Department.purchasing, "E0020"),
    (Department.warehouse, "E0021"),
    (Department.quality, "E0022"),
    (Department.finance, "E0017"),
)

CARRIERS = (("顺丰速运", "SF"), ("德邦物流", "DPK"), ("中通快运", "ZTO"), ("安能物流", "ANE"),
            ("京东物流", "JDL"))
HUBS = {"广东": "广州白云转运中心", "浙江": "杭州萧山转运中心", "江苏": "苏州转运中心",
        "北京": "北京顺义转运中心", "天津": "天津武清转运中心"}
FACTORY_CITY = "东莞"
# The risk a department notes when it finds an order feasible only on a condition.
REVIEW_CONDITIONS = {
    Department.production: "需加班排产，交期紧张",
    Department.purchasing: "轴承需外购，供应商交期约10天",
    Department.warehouse: "成品库存不足，需等待生产入库",
    Department.quality: "客户要求出厂检测报告，需增加型式试验",
    Department.finance: "客户有逾期应收，建议款到发货",
}
