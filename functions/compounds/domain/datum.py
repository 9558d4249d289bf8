"""Datums of positions. Every stored position is GCJ-02 (what WeChat's location API and Chinese maps give); a
WGS-84 position (GPS, OpenStreetMap) is converted at the edge with the standard public algorithm ("eviltransform":
the Krasovsky ellipsoid offsets of GCJ-02; outside mainland China both datums are the same)."""

from __future__ import annotations

import math
from enum import StrEnum

_A = 6378245.0  # Krasovsky 1940 semi-major axis
_EE = 0.00669342162296594323  # its first eccentricity squared


class Datum(StrEnum):
    GCJ02 = "GCJ-02"
    WGS84 = "WGS-84"


_NAMES = {"gcj-02": Datum.GCJ02, "gcj02": Datum.GCJ02, "wgs-84": Datum.WGS84, "wgs84": Datum.WGS84}


def parse_datum(text: str) -> Datum | None:
    """GCJ-02 / gcj02 / WGS-84 / wgs84 (any case, spaces ignored); None for anything else."""
    return _NAMES.get(text.strip().lower().replace(" ", ""))


def out_of_china(lat: float, lng: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform(x: float, y: float) -> tuple[float, float]:
    xy = x * y
    abs_x = math.sqrt(abs(x))
    x_pi, y_pi = x * math.pi, y * math.pi
    d = 20.0 * math.sin(6.0 * x_pi) + 20.0 * math.sin(2.0 * x_pi)
    lat = d + 20.0 * math.sin(y_pi) + 40.0 * math.sin(y_pi / 3.0)
    lng = d + 20.0 * math.sin(x_pi) + 40.0 * math.sin(x_pi / 3.0)
    lat += 160.0 * math.sin(y_pi / 12.0) + 320 * math.sin(y_pi / 30.0)
    lng += 150.0 * math.sin(x_pi / 12.0) + 300.0 * math.sin(x_pi / 30.0)
    lat *= 2.0 / 3.0
    lng *= 2.0 / 3.0
    lat += -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * xy + 0.2 * abs_x
    lng += 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * xy + 0.1 * abs_x
    return lat, lng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    if out_of_china(lat, lng):
        return lat, lng
    d_lat, d_lng = _transform(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lat + d_lat, lng + d_lng


def to_gcj02(lat: float, lng: float, datum: Datum) -> tuple[float, float]:
    """The position in GCJ-02, rounded to 6 decimals (about 0.1 m): the same file gives the same stored value."""
    if datum == Datum.WGS84:
        lat, lng = wgs84_to_gcj02(lat, lng)
    return round(lat, 6), round(lng, 6)
