"""Reading an import file: a CSV (UTF-8, with or without the BOM Excel writes) of households with their compound.

Columns (the header row names them, in any order, in English or Chinese):
  name 小区名称, district 区, street 街道, building 楼号, unit 单元, room 房间号, lat 纬度, lng 经度
  optional: name_en 英文名称, datum 坐标系 (GCJ-02 or WGS-84; default: the request's datum)
Rows are numbered as a spreadsheet shows them (the header is row 1). Every problem names its row, its column and
the reason; a file is taken whole or not at all."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from compounds.domain.datum import Datum, parse_datum, to_gcj02
from compounds.domain.keys import compound_id, household_key, normal

MAX_ROWS = 20000
MAX_TEXT = 100  # characters of a name, street, building, unit or room

COLUMNS = {
    "name": ("name", "compound", "小区", "小区名称"),
    "name_en": ("name_en", "英文名称"),
    "district": ("district", "区", "所在区"),
    "street": ("street", "街道"),
    "building": ("building", "楼号", "楼栋"),
    "unit": ("unit", "单元"),
    "room": ("room", "房间号", "门牌号"),
    "lat": ("lat", "latitude", "纬度"),
    "lng": ("lng", "lon", "longitude", "经度"),
    "datum": ("datum", "坐标系"),
}
REQUIRED = ("name", "district", "street", "building", "unit", "room", "lat", "lng")
_ALIASES = {alias.lower(): column for column, aliases in COLUMNS.items() for alias in aliases}

# Mainland China's extent, roughly: a position outside it is a typo (swapped columns, a missing digit).
LAT_RANGE, LNG_RANGE = (3.8, 53.6), (73.5, 135.1)


class FileRefused(Exception):
    """The file as a whole cannot be read (encoding, header, size): a 400 with a reason."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str  # Chinese
    reason_en: str


@dataclass(frozen=True)
class CompoundRow:
    compound_id: str
    name: str
    name_en: str
    district: str
    street: str
    lat: float  # GCJ-02
    lng: float


@dataclass(frozen=True)
class HouseholdRow:
    row: int
    compound_id: str
    building: str
    unit: str
    room: str

    @property
    def key(self) -> str:
        return household_key(self.building, self.unit, self.room)


@dataclass
class ParsedFile:
    rows: int = 0
    compounds: dict[str, CompoundRow] = field(default_factory=dict)
    households: list[HouseholdRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def refused_rows(self) -> set[int]:
        return {p.row for p in self.problems}


def decode(raw: bytes) -> str:
    """UTF-8 text without the BOM; anything else is refused (Excel: "CSV UTF-8")."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            "invalid_csv_encoding",
            "文件不是 UTF-8 编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”",
            "The file is not UTF-8: in Excel, save it as “CSV UTF-8 (comma delimited)”.",
        ) from exc


def _header(names: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(names):
        column = _ALIASES.get(normal(name).lower())
        if column is None or column in found:
            continue
        found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise FileRefused(
            "invalid_csv_header",
            f"表头缺少列：{', '.join(missing)}（第 1 行须为列名）",
            f"The header (row 1) lacks the column(s): {', '.join(missing)}.",
        )
    return found


def _number(text: str, column: str, row: int, bounds: tuple[float, float], problems: list[Problem]) -> float | None:
    try:
        value = float(normal(text))
    except ValueError:
        problems.append(Problem(row, column, f"“{text}”不是数字", f"“{text}” is not a number"))
        return None
    if not bounds[0] <= value <= bounds[1]:
        problems.append(
            Problem(
                row,
                column,
                f"{value} 不在中国境内的范围 {bounds[0]}–{bounds[1]}",
                f"{value} is outside China ({bounds[0]}–{bounds[1]})",
            )
        )
        return None
    return value


def parse(text: str, default_datum: Datum) -> ParsedFile:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise FileRefused("empty_csv", "文件是空的", "The file is empty.") from None
    except csv.Error as exc:
        raise FileRefused("invalid_csv", f"无法读取 CSV：{exc}", f"The CSV cannot be read: {exc}") from exc
    columns = _header(header)
    parsed = ParsedFile()
    seen_households: dict[tuple[str, str], int] = {}
    first_row_of: dict[str, int] = {}
    try:
        for row_number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # Excel leaves empty lines at the end
            parsed.rows += 1
            if parsed.rows > MAX_ROWS:
                raise FileRefused(
                    "csv_too_large", f"一次最多导入 {MAX_ROWS} 行", f"At most {MAX_ROWS} rows may be imported at once."
                )
            _row(parsed, row_number, cells, columns, default_datum, seen_households, first_row_of)
    except csv.Error as exc:
        raise FileRefused("invalid_csv", f"无法读取 CSV：{exc}", f"The CSV cannot be read: {exc}") from exc
    if parsed.rows == 0:
        raise FileRefused("empty_csv", "文件只有表头，没有数据行", "The file has a header but no rows.")
    return parsed


def _row(
    parsed: ParsedFile,
    row: int,
    cells: list[str],
    columns: dict[str, int],
    default_datum: Datum,
    seen_households: dict[tuple[str, str], int],
    first_row_of: dict[str, int],
) -> None:
    problems: list[Problem] = []

    def cell(column: str) -> str:
        index = columns.get(column)
        return normal(cells[index]) if index is not None and index < len(cells) else ""

    values = {c: cell(c) for c in COLUMNS}
    for column in REQUIRED:
        if not values[column]:
            problems.append(Problem(row, column, "不能为空", "must not be empty"))
        elif len(values[column]) > MAX_TEXT:
            problems.append(Problem(row, column, f"不能超过 {MAX_TEXT} 个字", f"must be at most {MAX_TEXT} characters"))
    for column in ("building", "unit", "room"):
        if "#" in values[column]:
            problems.append(Problem(row, column, "不能含有“#”", "must not contain “#”"))
    datum = default_datum
    if values["datum"]:
        datum = parse_datum(values["datum"])
        if datum is None:
            problems.append(
                Problem(
                    row,
                    "datum",
                    f"坐标系“{values['datum']}”未知（应为 GCJ-02 或 WGS-84）",
                    f"unknown datum “{values['datum']}” (GCJ-02 or WGS-84)",
                )
            )
    lat = _number(values["lat"], "lat", row, LAT_RANGE, problems) if values["lat"] else None
    lng = _number(values["lng"], "lng", row, LNG_RANGE, problems) if values["lng"] else None
    if problems or lat is None or lng is None or datum is None:
        parsed.problems.extend(problems)
        return
    gcj_lat, gcj_lng = to_gcj02(lat, lng, datum)
    cid = compound_id(values["name"], values["district"])
    compound = CompoundRow(cid, values["name"], values["name_en"], values["district"], values["street"], gcj_lat, gcj_lng)
    known = parsed.compounds.get(cid)
    if known is None:
        parsed.compounds[cid] = compound
        first_row_of[cid] = row
    else:
        # Every row of a compound carries its street and position: they must agree with its first row.
        first = first_row_of[cid]
        for column in ("street", "name_en", "lat", "lng"):
            if getattr(compound, column) != getattr(known, column) and (column != "name_en" or compound.name_en):
                problems.append(
                    Problem(row, column, f"与第 {first} 行同一小区的值不同", f"differs from row {first} of the same compound")
                )
    household = HouseholdRow(row, cid, values["building"], values["unit"], values["room"])
    earlier = seen_households.get((cid, household.key))
    if earlier is not None:
        problems.append(
            Problem(row, "room", f"与第 {earlier} 行重复（同一楼号、单元、房间）", f"the same household as row {earlier}")
        )
    if problems:
        parsed.problems.extend(problems)
        return
    seen_households[(cid, household.key)] = row
    parsed.households.append(household)
