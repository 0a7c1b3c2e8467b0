"""Conduct: the note on an attendance day that was not normal; gifts and hospitality offered to the
salespeople (the integrity register, 4.2.2) and how each was handled."""

from __future__ import annotations

from ...models.conduct import AttendanceStatus, Handling

# The note on an attendance day by its status (normal and late days have none).
ATTENDANCE_NOTES = {AttendanceStatus.absent: "未请假未到岗", AttendanceStatus.business_trip: "出差拜访客户",
                    AttendanceStatus.on_leave: "已批准请假", AttendanceStatus.left_early: "提前离岗"}

# employee number, what was offered, its value, how it was handled; the newest first
GIFTS = (
    ("E0005", "中秋节客户赠送月饼礼盒", 380, Handling.handed_in),
    ("E0006", "客户赠送购物卡一张", 2000, Handling.returned),
    ("E0013", "客户邀请至高档会所宴请", 3000, Handling.declined),
    ("E0009", "客户赠送茶叶两盒", 600, Handling.handed_in),
    ("E0014", "客户年会抽奖所得平板电脑", 2800, Handling.pending),
    ("E0023", "客户私下给予现金回扣", 20000, Handling.pending),
    ("E0010", "客户赠送高尔夫球会体验券", 1500, Handling.declined),
    ("E0007", "春节客户寄送土特产", 300, Handling.handed_in),
)
