from shared.geo import cell_and_neighbours, distance_m, geohash


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
