"""Market research: the reports, the competitors with their price level, the products whose prices
are watched and the countermeasures proposed."""

from __future__ import annotations

from ...models.market import PriceLevel, ProposalStatus

# title, region, industry, author, reviewer (employee numbers); the newest first
MARKET_REPORTS = (
    ("珠三角包装机械行业电机需求调研", "广东", "包装机械", "E0005", "E0002"),
    ("广东陶瓷产区设备更新情况分析", "广东", "陶瓷", "E0009", "E0002"),
    ("长三角纺织机械节能改造市场报告", "浙江", "纺织机械", "E0006", "E0003"),
    ("苏南自动化设备制造商采购习惯调研", "江苏", "自动化设备", "E0011", "E0003"),
    ("京津冀环保设备市场容量预估", "北京", "环保设备", "E0014", "E0004"),
    ("天津港物流输送设备客户名录与需求", "天津", "物流输送", "E0015", None),
)
# name, main products, price level, marketing strategy, strengths, weaknesses
COMPETITORS = (
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
# the products whose competitor prices are observed, with our list price
PRICE_REFERENCES = (("三相异步电动机 4kW", 2680), ("斜齿轮减速电机 R77", 5200), ("蜗轮减速机 RV63", 860),
              ("通用变频器 2.2kW", 1650), ("圆柱齿轮减速器 ZQ350", 6300))
# a competitor's price against ours, by its price level
LEVEL_FACTOR = {PriceLevel.low: 0.88, PriceLevel.medium: 0.98, PriceLevel.high: 1.12}
# proposal, proposer, status; each against the competitors in turn
COUNTERMEASURES = (
    ("针对恒驰低价策略，推出YE3系列年度框架价，锁定老客户", "E0005", ProposalStatus.adopted),
    ("联合技术部开发在线选型工具，对标万象", "E0006", ProposalStatus.proposed),
    ("对瑞力客户宣传我司质保期延长至24个月", "E0013", ProposalStatus.done),
    ("控制柜与电机打包报价，对抗捷达的集成方案", "E0010", ProposalStatus.adopted),
    ("参与天津地区国企招标需补充资质，建议申请两化融合认证", "E0015", ProposalStatus.rejected),
    ("建立竞品价格月度收集机制", "E0002", ProposalStatus.done),
)
