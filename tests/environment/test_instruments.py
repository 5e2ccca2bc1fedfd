"""Policy instruments: blocs as customs unions, and what each move changes."""

from __future__ import annotations

import numpy as np
import pytest

from gvc_abm.environment.config import GovernmentBehaviour
from gvc_abm.environment.instruments import Instruments, apply_move, apply_tariff_shock, effective_tariffs, join_bloc

REGIONS = ("EU", "EU", "Asia", "Asia")
P = GovernmentBehaviour(tariff_step=0.1, max_tariff=0.25, local_content_step=0.2, subsidy_step=0.05,
                        buy_local_step=0.15, liberalize_step=0.5)


def make(G=4, S=2, rate=0.1):
    stat = np.full((G, G, S), rate)
    stat[np.arange(G), np.arange(G), :] = 0
    return Instruments.initial(stat, np.array([0, 0, -1, -1]), ("EU",))


def test_bloc_members_trade_free_and_outsiders_pay():
    ins = make()
    tau = effective_tariffs(ins.statutory, ins.bloc_of)
    assert (tau[0, 1] == 0).all() and (tau[1, 0] == 0).all()
    assert (tau[0, 2] == 0.1).all() and (tau[2, 3] == 0.1).all()
    assert (tau[np.arange(4), np.arange(4)] == 0).all()


def test_joining_adopts_the_common_external_tariff():
    ins = make()
    ins.statutory[0, 3, :] = 0.2  # members' external tariffs on country 3: 0.2 and 0.1 -> CET 0.15
    ins.statutory[2, 3, :] = 0.05
    join_bloc(ins, 2, 0)
    assert ins.bloc_of[2] == 0
    np.testing.assert_allclose(ins.statutory[2, 3], 0.15)
    tau = effective_tariffs(ins.statutory, ins.bloc_of)
    assert (tau[2, 0] == 0).all() and (tau[0, 2] == 0).all()


NAMES = ("none", "sector_tariff", "local_content", "import_substitution", "targeted_tariff", "leave_bloc",
         "buy_local", "retaliation", "liberalize", "join_bloc", "investment_limit")


def move(ins, country, code, target=-1, sector=-1, level=0.0):
    return apply_move(ins, country, NAMES[code], target, sector, P, REGIONS, level)


def test_each_move_changes_its_instrument():
    ins = make()
    assert move(ins, 2, 1, sector=1) == -1  # sector tariff: no target country
    np.testing.assert_allclose(ins.statutory[2, [0, 1, 3], 1], 0.2)
    move(ins, 2, 1, sector=1)
    np.testing.assert_allclose(ins.statutory[2, [0, 1, 3], 1], 0.25)  # capped at max_tariff
    move(ins, 3, 2, sector=0)
    assert ins.local_content[3, 0] == pytest.approx(0.2)
    move(ins, 3, 3, sector=0)
    assert ins.subsidy[3, 0] == pytest.approx(0.05)
    move(ins, 0, 4, target=2)  # targeted tariff on country 2
    np.testing.assert_allclose(ins.statutory[0, 2], 0.2)
    assert ins.targeted_by[2, 0] == pytest.approx(0.1)
    move(ins, 0, 6)
    assert ins.home_bias[0] == pytest.approx(0.15)
    move(ins, 1, 5)
    assert ins.bloc_of[1] == -1
    move(ins, 3, 10, sector=1, level=0.3)  # investment limit: at most 30 % foreign inputs of sector 1
    assert ins.investment_limit[3, 1] == pytest.approx(0.3) and ins.investment_limit[3, 0] == 1.0
    move(ins, 3, 10, sector=1, level=0.6)  # a limit is only ever tightened by a measure
    assert ins.investment_limit[3, 1] == pytest.approx(0.3)
    move(ins, 3, 2, sector=1, level=0.5)  # a rule at the level the government chose
    assert ins.local_content[3, 1] == pytest.approx(0.5)
    move(ins, 3, 8)  # liberalize halves local content, subsidies and the limit's bite; tariffs stay at MFN
    np.testing.assert_allclose(ins.statutory[3, 0], 0.1)
    assert ins.local_content[3, 0] == pytest.approx(0.1)
    assert ins.investment_limit[3, 1] == pytest.approx(1 - 0.7 * 0.5)
    assert move(ins, 2, 0) is None
    assert move(ins, 1, 5) is None  # country 1 has left already


def test_unwinding_returns_tariffs_to_mfn_and_lets_measures_lapse():
    ins = make()
    assert not ins.has_measures(2)
    move(ins, 2, 4, target=3)  # targeted tariff: 0.1 -> 0.2 on country 3
    move(ins, 2, 3, sector=0)  # subsidy 0.05
    move(ins, 2, 6)  # campaign 0.15 log points
    ins.statutory[2, 0, 1] = 0.02  # below MFN (as inside a bloc): unwinding never raises it
    assert ins.has_measures(2)
    move(ins, 2, 8)
    np.testing.assert_allclose(ins.statutory[2, 3], 0.15)  # halfway back to MFN 0.1
    assert ins.statutory[2, 0, 1] == 0.02
    assert ins.subsidy[2, 0] == pytest.approx(0.025) and ins.home_bias[2] == pytest.approx(0.075)
    for _ in range(12):
        move(ins, 2, 8)
    np.testing.assert_allclose(ins.statutory[2, 3], 0.1)  # back at MFN exactly (the excess lapsed)
    assert ins.subsidy[2, 0] == 0.0 and ins.home_bias[2] == 0.0
    assert not ins.has_measures(2)
    assert move(ins, 2, 8) is None  # nothing left to unwind: no move, no event


def test_joining_a_bloc_moves_the_level_tariffs_unwind_to():
    ins = make()
    ins.mfn[0, 3, :] = 0.04  # the members' MFN rates on country 3: 0.04 and 0.1 -> 0.07
    join_bloc(ins, 2, 0)
    np.testing.assert_allclose(ins.mfn[2, 3], 0.07)
    ins.statutory[2, 3, :] = 0.3
    move(ins, 2, 8)
    np.testing.assert_allclose(ins.statutory[2, 3], 0.07 + 0.5 * 0.23)


def test_join_the_regional_bloc_or_nothing():
    ins = make()
    ins.bloc_of[:] = [-1, 0, -1, -1]
    assert move(ins, 0, 9) == 0  # country 0 is in region EU where bloc 0 has member 1: it joins bloc 0
    assert ins.bloc_of[0] == 0
    assert move(ins, 2, 9) is None  # no bloc in Asia


def test_names_match_the_rules_codes():
    from gvc_abm.agents.rules import INSTRUMENTS

    assert NAMES == INSTRUMENTS
    with pytest.raises(ValueError, match="unknown policy instrument"):
        apply_move(make(), 0, "embargo", -1, -1, P, REGIONS)


def test_tariff_shock_sets_rates_by_decree():
    ins = make()
    imp = np.array([True, False, False, False])
    exp_ = np.array([False, False, True, True])
    raised = apply_tariff_shock(ins, imp, exp_, np.array([True, True]), 0.25)
    assert raised.tolist() == [True, False, False, False]
    np.testing.assert_allclose(ins.statutory[0, 2:], 0.25)
    np.testing.assert_allclose(ins.statutory[0, 1], 0.1)
    np.testing.assert_allclose(ins.mfn[0], make().mfn[0])  # a war leaves MFN: unwinding may take it back


def test_a_decreed_cut_is_a_commitment_that_unwinding_returns_to():
    """A decree below MFN (a WTO accession's cuts) lowers the MFN level with it and is not restrictive; a
    government's later tariff above the new rate unwinds to it, not to the old MFN rate."""
    ins = make()  # every MFN rate 0.1
    china, everyone = np.array([False, False, True, False]), np.ones(4, dtype=bool)
    raised = apply_tariff_shock(ins, china, everyone, np.array([True, True]), 0.04)
    assert not raised.any()
    np.testing.assert_allclose(ins.statutory[2, [0, 1, 3]], 0.04)
    np.testing.assert_allclose(ins.mfn[2, [0, 1, 3]], 0.04)
    assert ins.mfn[2, 2].tolist() == [0.0, 0.0] and ins.statutory[2, 2].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(ins.mfn[0], 0.1 * (np.arange(4) != 0)[:, None] * np.ones(2))  # others' untouched
    apply_move(ins, 2, "sector_tariff", -1, 1, P, REGIONS)  # +0.1 in sector 1: 0.14, above the new MFN
    assert ins.has_measures(2)
    apply_move(ins, 2, "liberalize", -1, -1, P, REGIONS)  # half way back: 0.04 + 0.05
    np.testing.assert_allclose(ins.statutory[2, [0, 1, 3], 1], 0.09)
    apply_move(ins, 2, "liberalize", -1, -1, P, REGIONS)
    apply_move(ins, 2, "liberalize", -1, -1, P, REGIONS)
    apply_move(ins, 2, "liberalize", -1, -1, P, REGIONS)  # 0.00625 above, then lapses below 0.005
    apply_move(ins, 2, "liberalize", -1, -1, P, REGIONS)
    np.testing.assert_allclose(ins.statutory[2, [0, 1, 3]], 0.04)
    assert not ins.has_measures(2)


def test_a_decree_on_one_kind_of_goods_leaves_mfn():
    """MFN is one level for both tariff arrays, so only a cut on all goods moves it."""
    ins = make()
    apply_tariff_shock(ins, np.array([True, False, False, False]), np.ones(4, dtype=bool), np.array([True, True]), 0.0,
                       goods="final")
    np.testing.assert_allclose(ins.final_statutory[0], 0.0)
    np.testing.assert_allclose(ins.mfn[0], make().mfn[0])


def test_measures_left_of_every_country_at_once_by_hand():
    """One measure of each kind in its own country (and a tariff within LAPSE of MFN in another): exactly
    those countries have a measure left, as ``has_measures`` reports one by one."""
    G, S = 7, 2
    ins = make(G, S)
    assert not ins.measures_left().any()
    ins.statutory[0, 1, 1] += 0.05
    ins.final_statutory[1, 2, 0] += 0.05
    ins.local_content[2, 1] = 0.3
    ins.subsidy[3, 0] = 0.1
    ins.investment_limit[4, 1] = 0.5
    ins.home_bias[5] = 0.2
    ins.statutory[6, 0, 0] += 1e-15  # within the lapse: nothing left
    want = np.array([True, True, True, True, True, True, False])
    np.testing.assert_array_equal(ins.measures_left(), want)
    assert [ins.has_measures(c) for c in range(G)] == want.tolist()
