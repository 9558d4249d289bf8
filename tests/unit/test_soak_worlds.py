"""The soak spreads its orders over compounds far apart from each other (soak.drive.worlds_for)."""

from __future__ import annotations

from soak.drive import ORDERS_PER_WORLD, worlds_for
from tests.conftest import WORLD_SITES


def test_a_small_soak_gets_a_compound_for_every_few_orders():
    assert worlds_for(1) == 1
    assert worlds_for(8) == 8 // ORDERS_PER_WORLD
    assert worlds_for(9) == 8 // ORDERS_PER_WORLD + 1


def test_the_default_thousand_orders_fit_the_sites_there_are():
    # The worlds are numbered from 1 (WORLD_SITES[0] is no site): the last one must still have a site
    assert worlds_for(1000) <= len(WORLD_SITES) - 1


def test_beyond_the_sites_the_compounds_take_more_orders_each():
    more_than_the_sites_hold = ORDERS_PER_WORLD * len(WORLD_SITES) + 100
    assert worlds_for(more_than_the_sites_hold) == len(WORLD_SITES) - 1
