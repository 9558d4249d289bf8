from matching.domain.geo import cell_and_neighbours, distance_m, geohash


def test_known_geohash():
    # The reference example from the geohash specification.
    assert geohash(57.64911, 10.40744, 11) == "u4pruydqqvj"


def test_distance_between_two_pilot_compounds_is_under_a_kilometre():
    # 西营前街 → 葛布店北里
    assert 500 < distance_m(39.9052, 116.6571, 39.9096, 116.6623) < 1000


def test_neighbours_cover_nearby_points_in_every_direction():
    lat, lng = 39.9052, 116.6571
    cells = set(cell_and_neighbours(lat, lng))
    assert len(cells) == 9
    for dlat, dlng in [(0.03, 0), (-0.03, 0), (0, 0.04), (0, -0.04), (0.03, 0.04)]:
        assert geohash(lat + dlat, lng + dlng) in cells


def test_the_cells_covering_a_radius_contain_every_point_within_it():
    import math

    from matching.domain.geo import cells_covering, index_precision

    lat, lng = 39.9054, 116.6574
    for radius in (1000, 3000, 5000):
        precision = index_precision(radius)
        cells = set(cells_covering(lat, lng, radius, precision))
        for bearing in range(0, 360, 15):
            dlat = radius * math.cos(math.radians(bearing)) / 111_320
            dlng = radius * math.sin(math.radians(bearing)) / (111_320 * math.cos(math.radians(lat)))
            assert geohash(lat + dlat, lng + dlng, precision) in cells, (radius, bearing)
        assert distance_m(lat, lng, lat + radius / 111_320, lng) <= radius * 1.01


def test_one_km_searches_read_finer_cells():
    from matching.domain.geo import index_precision

    assert index_precision(1000) == 6 and index_precision(3000) == 5
