"""The organisation: teams and their regions, the staff and their logins."""

from __future__ import annotations

from ...models.people import Position
from ...security.matrix import ADMIN, FINANCE, HR, SALES, SUPERVISOR

MARKER_NUMBER = "E0001"  # the demo marker: once this employee exists the factory is not built again
EMAIL_DOMAIN = "demo.local"  # of the demo logins' and employees' e-mail addresses

# name, Team.region, [(province, [cities])]
TEAMS = (
    ("华南一组", "广东", (("广东", ("广州", "深圳", "东莞", "佛山", "中山", "珠海", "惠州")),)),
    ("华东二组", "浙江、江苏", (("浙江", ("杭州", "宁波", "温州", "绍兴", "嘉兴")),
                          ("江苏", ("苏州", "无锡", "常州", "南京", "南通")))),
    ("华北三组", "北京、天津", (("北京", ("北京",)), ("天津", ("天津",)))),
)
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
