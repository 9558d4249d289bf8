"""The pilot's price catalogue (version 1): common repairs in old Beijing compounds, with labour,
typical parts at reference prices and a market-price cap per bill line (CNY, 2026 Tongzhou prices)."""

from __future__ import annotations

from orders.store.catalogue import CatalogueItem, CataloguePart


def _part(part_id: str, name: str, name_en: str, price: float, quantity: float = 1) -> CataloguePart:
    return CataloguePart(part_id=part_id, name=name, name_en=name_en, reference_price=price, typical_quantity=quantity)


def _item(item_id, category, name, name_en, keywords, labour, cap, *parts) -> CatalogueItem:
    return CatalogueItem(
        item_id=item_id,
        category=category,
        name=name,
        name_en=name_en,
        keywords=keywords,
        labour=labour,
        parts=list(parts),
        cap=cap,
    )


ITEMS = [
    # electrical
    _item(
        "elec_wire_reconnect",
        "electrical",
        "断线重接",
        "Reconnect a broken wire",
        ["灯不亮", "断线", "没电", "接触不良", "线路", "broken wire", "light"],
        30,
        60,
        _part("wire_connector", "接线端子", "wire connector", 1, 2),
        _part("insulating_tape", "电工胶布", "insulating tape", 3),
    ),
    _item(
        "elec_lamp_fitting",
        "electrical",
        "更换吸顶灯灯座",
        "Replace a ceiling-lamp fitting",
        ["灯不亮", "灯座", "吸顶灯", "闪烁", "lamp", "fitting", "light"],
        50,
        120,
        _part("lamp_holder", "吸顶灯灯座", "lamp holder", 35),
    ),
    _item(
        "elec_ceiling_lamp",
        "electrical",
        "更换整套吸顶灯",
        "Replace a whole ceiling lamp",
        ["换灯", "整灯", "灯具坏", "new lamp"],
        60,
        260,
        _part("led_ceiling_lamp", "LED吸顶灯（24W）", "LED ceiling lamp (24 W)", 120),
    ),
    _item(
        "elec_switch_socket",
        "electrical",
        "更换开关或插座面板",
        "Replace a switch or socket",
        ["开关", "插座", "面板", "switch", "socket"],
        30,
        80,
        _part("switch_panel", "开关插座面板", "switch/socket panel", 20),
    ),
    _item(
        "elec_breaker",
        "electrical",
        "更换空气开关",
        "Replace a circuit breaker",
        ["跳闸", "空开", "空气开关", "断路器", "breaker", "trips"],
        50,
        150,
        _part("breaker_2p", "空气开关（2P 32A）", "circuit breaker (2P 32 A)", 45),
    ),
    # plumbing
    _item(
        "plumb_drain_clear",
        "plumbing",
        "疏通下水道",
        "Clear a blocked drain",
        ["堵", "下水", "疏通", "地漏", "返水", "drain", "blocked", "clog"],
        80,
        150,
    ),
    _item(
        "plumb_tap_cartridge",
        "plumbing",
        "更换水龙头阀芯",
        "Replace a tap cartridge",
        ["水龙头", "滴水", "关不紧", "阀芯", "tap", "faucet", "drip"],
        40,
        100,
        _part("ceramic_cartridge", "陶瓷阀芯", "ceramic cartridge", 25),
    ),
    _item(
        "plumb_tap_replace",
        "plumbing",
        "更换水龙头",
        "Replace a whole tap",
        ["换水龙头", "水龙头坏", "new tap"],
        50,
        200,
        _part("mixer_tap", "冷热水龙头", "mixer tap", 80),
    ),
    _item(
        "plumb_angle_valve",
        "plumbing",
        "更换角阀",
        "Replace an angle valve",
        ["角阀", "阀门漏", "valve"],
        40,
        100,
        _part("angle_valve", "角阀", "angle valve", 25),
    ),
    _item(
        "plumb_toilet_fill_valve",
        "plumbing",
        "更换马桶进水阀",
        "Replace a toilet fill valve",
        ["马桶", "水箱", "长流水", "toilet", "cistern"],
        50,
        130,
        _part("fill_valve", "马桶进水阀", "toilet fill valve", 45),
    ),
    # locks
    _item(
        "lock_cylinder",
        "locks",
        "更换锁芯",
        "Change a lock cylinder",
        ["锁芯", "锁坏", "钥匙", "lock", "cylinder", "key"],
        60,
        260,
        _part("lock_cylinder_c", "C级防盗锁芯", "grade-C security cylinder", 120),
    ),
    _item(
        "lock_open",
        "locks",
        "开锁（无损）",
        "Open a lock (non-destructive)",
        ["开锁", "锁在门外", "钥匙丢", "locked out"],
        100,
        200,
    ),
    # appliances
    _item(
        "appl_hood_clean",
        "appliances",
        "清洗抽油烟机",
        "Clean a range hood",
        ["油烟机", "抽油烟", "range hood"],
        120,
        200,
    ),
    _item(
        "appl_heater_valve",
        "appliances",
        "更换热水器安全阀",
        "Replace a water-heater safety valve",
        ["热水器", "water heater"],
        60,
        150,
        _part("safety_valve", "热水器安全阀", "safety valve", 35),
    ),
    _item(
        "appl_washer_hose",
        "appliances",
        "更换洗衣机进水管",
        "Replace a washing-machine inlet hose",
        ["洗衣机", "washing machine"],
        30,
        80,
        _part("inlet_hose", "洗衣机进水管", "inlet hose", 25),
    ),
    # other
    _item(
        "other_mount_fixture",
        "other",
        "安装挂件（毛巾架、窗帘杆等）",
        "Mount a fixture (towel rail, curtain rod…)",
        ["安装", "窗帘", "毛巾架", "挂", "mount", "curtain"],
        40,
        100,
        _part("wall_anchor", "膨胀螺丝", "wall anchor", 1, 4),
    ),
    _item(
        "other_door_hinge",
        "other",
        "调整或更换门合页",
        "Adjust or replace a door hinge",
        ["门", "合页", "关不上", "hinge", "door"],
        40,
        120,
        _part("hinge", "不锈钢合页", "stainless hinge", 15, 2),
    ),
]
