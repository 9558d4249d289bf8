"""Distances and the geohash cells used as the technicians' spatial index."""

from __future__ import annotations

import math

_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
EARTH_RADIUS_M = 6_371_000
# Precision 5 cells are about 4.9 km x 4.9 km: a cell and its eight neighbours cover at least
# one cell's width in every direction, which bounds the search to nearby technicians.
CELL_PRECISION = 5


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def geohash(lat: float, lng: float, precision: int = CELL_PRECISION) -> str:
    lat_range, lng_range = [-90.0, 90.0], [-180.0, 180.0]
    chars, bits, bit_count, even = [], 0, 0, True
    while len(chars) < precision:
        rng, value = (lng_range, lng) if even else (lat_range, lat)
        mid = (rng[0] + rng[1]) / 2
        bits <<= 1
        if value >= mid:
            bits |= 1
            rng[0] = mid
        else:
            rng[1] = mid
        even = not even
        bit_count += 1
        if bit_count == 5:
            chars.append(_BASE32[bits])
            bits, bit_count = 0, 0
    return "".join(chars)


def _cell_size_deg(precision: int) -> tuple[float, float]:
    lng_bits = math.ceil(precision * 5 / 2)
    lat_bits = math.floor(precision * 5 / 2)
    return 180.0 / (2**lat_bits), 360.0 / (2**lng_bits)


def cell_and_neighbours(lat: float, lng: float, precision: int = CELL_PRECISION) -> list[str]:
    """The cell containing the point and its eight neighbours, without duplicates."""
    dlat, dlng = _cell_size_deg(precision)
    cells: list[str] = []
    for i in (-1, 0, 1):
        for j in (-1, 0, 1):
            cell = geohash(max(-90.0, min(90.0, lat + i * dlat)), ((lng + j * dlng + 180) % 360) - 180, precision)
            if cell not in cells:
                cells.append(cell)
    return cells


def index_precision(radius_m: float) -> int:
    """The geohash precision to read for a search radius.

    Precision 6 cells (~1.2 km x 0.6 km) for searches up to 1.5 km read about a tenth of what the
    precision 5 cells (~4.9 km x 4.9 km) would; wider searches use precision 5, where a handful of cells
    cover the circle. The index stores precision 5 in the partition key and precision 7 at the head of the
    sort key, so both are a Query (precision 6 with begins_with).
    """
    return 6 if radius_m <= 1500 else 5


def cells_covering(lat: float, lng: float, radius_m: float, precision: int) -> list[str]:
    """Every cell of `precision` that intersects the square around the circle of `radius_m`."""
    dlat_r = radius_m / 111_320
    dlng_r = radius_m / (111_320 * max(0.01, math.cos(math.radians(lat))))
    cell_lat, cell_lng = _cell_size_deg(precision)

    def steps(low: float, high: float, step: float) -> list[float]:
        points, value = [], low
        while value < high:
            points.append(value)
            value += step
        return [*points, high]

    cells: list[str] = []
    for a in steps(lat - dlat_r, lat + dlat_r, cell_lat):
        for b in steps(lng - dlng_r, lng + dlng_r, cell_lng):
            cell = geohash(max(-90.0, min(90.0, a)), ((b + 180) % 360) - 180, precision)
            if cell not in cells:
                cells.append(cell)
    return cells
