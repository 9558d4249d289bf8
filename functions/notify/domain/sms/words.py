"""The fixed words the SMS templates' CHOICE variables take, with their English for the global target's texts."""

from __future__ import annotations

# Fixed words a CHOICE variable may take (and their English, for the global target's English texts).
RELATIONS = {
    "儿子": "son",
    "女儿": "daughter",
    "配偶": "spouse",
    "其他家人": "family member",
    "亲属": "relative",
    "社区工作者": "community worker",
    "邻居": "neighbour",
    "其他": "other",
}
CATEGORIES = {
    "电路/灯": "electrics/lights",
    "水管/下水": "water/drains",
    "门锁": "locks",
    "家电": "appliances",
    "其他维修": "other repairs",
}
DECISIONS = {
    "已通过准入审核": "was admitted",
    "未通过准入审核": "was not admitted",
    "已被暂停接单": "was suspended from taking orders",
    "已恢复接单资格": "was reinstated",
    "换证已通过审核，相关技能已恢复接单": "had the certificate renewal approved; the skills are back",
    "换证未通过审核": "had the certificate renewal refused",
    "状态已变更": "changed status",
}
CERTIFICATES = {
    "低压电工作业证": "low-voltage electrician's operating certificate",
    "开锁备案": "locksmith's public-security registration",
    "资质证书": "certificate",
}
ORDER_WORDS = {"订单": "order", "公区报事": "public-area report"}
PROGRESS = {
    "已通知附近师傅": "a technician nearby has been asked",
    "师傅已接单": "a technician accepted",
    "师傅正在赶来": "the technician is on the way",
    "师傅已到达": "the technician has arrived",
    "有超出报价的项目待确认": "work beyond the quote awaits consent",
    "维修已完成": "the repair is done",
    "订单需要人工安排": "the order is being arranged by hand",
    "订单已取消": "the order was cancelled",
}
# Why an order was escalated, as the resident reads it, and as the back office and the supervisors read it.
ESCALATION_REASONS = {
    "暂时没有师傅接单": "no technician has taken your order yet",
    "师傅未能按时完成维修": "the technician did not finish the repair in time",
    "物业未按时受理您的报事": "the property company did not take up your report in time",
    "系统出现故障，您的订单暂未处理": "a system fault held up your order",
    "您的订单需要人工安排": "your order needs arranging by hand",
}
ESCALATION_STAFF_REASONS = {
    "附近没有师傅接单": "no technician nearby took it",
    "师傅未按时完成": "the technician did not finish in time",
    "物业未按时派单受理": "the company did not dispatch it in time",
    "系统故障，重试后仍失败": "a system fault outlasted every retry",
    "需要人工安排": "it needs arranging by hand",
}
# Who arranges an escalated order, as the resident is told (only those who were told: see notify.domain.escalation).
ESCALATION_ARRANGERS = {
    "物业和区监管人员": "your property company and the district's supervisors",
    "物业": "your property company",
    "区监管人员": "the district's supervisors",
}
# What the contracted company's dispatchers are asked to do with an escalated order.
ESCALATION_CALLS = {
    "请致电居民（已列入电话任务），并在服务台派本公司的师傅": "phone the resident (see your call tasks) and dispatch "
    "one of your technicians from the service desk",
    "居民没有登记电话，请上门或联系社区，并在服务台派本公司的师傅": "the resident has no number: visit or ask the "
    "community, and dispatch one of your technicians from the service desk",
}
