"""Training: the yearly plan's items, how each topic is assessed, certificates and career moves."""

from __future__ import annotations

from ...models.people import Position
from ...models.training import AssessmentKind, Method, MoveKind, Topic

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

# employee number, certificate, issuer, obtained (days ago), valid for (days; None: no expiry)
CERTIFICATIONS = (
    ("E0005", "销售管理师（三级）", "中国商业联合会", 900, 1095),
    ("E0006", "国际贸易业务员资格证", "中国对外贸易经济合作企业协会", 1400, None),
    ("E0002", "高级销售经理", "中国市场学会", 1800, 1825),
    ("E0009", "电工作业操作证（低压）", "广东省应急管理厅", 700, 2190),
    ("E0013", "ISO 9001 内审员", "中国质量认证中心", 1500, 1095),
    ("E0014", "销售管理师（三级）", "中国商业联合会", 400, 1095),
    ("E0010", "变频器应用工程师", "中国电工技术学会", 200, 1095),
)
# employee number, kind, from and to position, effective (days ago), basis
CAREER_MOVES = (
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
