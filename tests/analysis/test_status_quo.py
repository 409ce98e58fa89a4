"""status_quo_analysis against a BFS over (state, last colour) written from DEFINITIONS §4."""

from __future__ import annotations

import pytest

from detente.analysis.coalition import all_coalitions
from detente.analysis.status_quo import status_quo_analysis
from detente.catalog import load_case
from detente.model.conflict import GraphModel, ModelError
from tests.analysis import brute
from tests.analysis._cases import random_model


def check_path(model: GraphModel, res, target: int, coalitions: bool) -> None:
    """The returned path is a legal coloured path of improvements of length = distance."""
    dist = res.distance_coalition if coalitions else res.distance
    path = res.path(target, coalitions=coalitions)
    if dist[target] < 0:
        assert path is None
        return
    assert path is not None
    assert path.start == res.status_quo
    assert path.final == target
    assert len(path.steps) == dist[target]
    assert path.states[0] == res.status_quo and path.states[-1] == target
    prev = None
    cur = res.status_quo
    for step in path.steps:
        assert step.source == cur
        movers = tuple(step.movers)
        assert movers != prev, "the same colour moves twice in a row"
        if len(movers) == 1:
            assert not step.is_coalition
            assert brute.is_unilateral_improvement(model, movers[0], step.source, step.target)
        else:
            assert coalitions, "a coalition move in a unilateral-only path"
            assert step.is_coalition
            assert movers in res.coalitions
            assert brute.is_coalitional_improvement(model, movers, step.source, step.target)
        prev = movers
        cur = step.target
    # the distance of every intermediate state is its position (prefix of a shortest path)
    for k, s in enumerate(path.states):
        assert dist[s] == k


@pytest.mark.parametrize("seed", range(60))
def test_matches_brute_force(seed: int) -> None:
    model = random_model(seed + 1000)
    brute.forget()
    coals = [c for c in all_coalitions(model.n_dms) if len(c) >= 2]
    for s0 in sorted({model.status_quo, 0, model.n_states - 1}):
        res = status_quo_analysis(model, status_quo=s0)
        assert res.status_quo == s0
        assert tuple(res.coalitions) == tuple(coals)
        assert list(res.distance) == brute.status_quo_bfs(model, s0), (seed, s0)
        assert list(res.distance_coalition) == brute.status_quo_bfs(model, s0, coals), (seed, s0)
        assert (res.reachable == (res.distance >= 0)).all()
        assert (res.reachable_coalition >= res.reachable).all()
        for t in range(model.n_states):
            check_path(model, res, t, coalitions=False)
            check_path(model, res, t, coalitions=True)


@pytest.mark.parametrize("seed", range(60, 75))
def test_listed_coalitions(seed: int) -> None:
    """Only the listed coalitions colour arcs; singletons in the list are ignored."""
    model = random_model(seed + 1000, min_dms=3)
    brute.forget()
    n = model.n_dms
    listed = [[1, 0], [2], [n - 1, 1, 1]]
    res = status_quo_analysis(model, coalitions=listed)
    expected_coals = [(0, 1), tuple(sorted({n - 1, 1}))]
    assert [tuple(c) for c in res.coalitions] == expected_coals
    assert list(res.distance_coalition) == brute.status_quo_bfs(
        model, model.status_quo, expected_coals
    )
    for t in range(model.n_states):
        check_path(model, res, t, coalitions=True)
    none = status_quo_analysis(model, coalitions=())
    assert list(none.distance_coalition) == list(none.distance)


def test_elmira_evolution_path() -> None:
    """DEFINITIONS §4 / GMCR+ handout §5.3: 1 ->LG 7 ->[MoE, Uniroyal] 10; and 10 cannot be
    reached from 1 by unilateral improvements alone."""
    model = load_case("elmira").compile()
    moe, uni, lg = (model.dm_names.index(d) for d in ("moe", "uniroyal", "lg"))
    res = status_quo_analysis(model)
    assert res.status_quo == 0
    assert res.distance[9] == -1 and not res.reachable[9]
    assert res.path(9) is None
    assert res.distance_coalition[9] == 2
    path = res.path(9, coalitions=True)
    assert path is not None
    assert [s + 1 for s in path.states] == [1, 7, 10]
    assert path.steps[0].movers == (lg,)
    assert path.steps[1].movers == tuple(sorted((moe, uni)))
    # only the pair [MoE, Uniroyal] is needed
    pair = status_quo_analysis(model, coalitions=[(moe, uni)])
    assert pair.distance_coalition[9] == 2
    brute.forget()
    assert brute.status_quo_bfs(model, 0)[9] == -1
    assert brute.status_quo_bfs(model, 0, [(moe, uni)])[9] == 2
    # without the pair (other coalitions only) 10 stays out of reach
    others = [(moe, lg), (uni, lg), (moe, uni, lg)]
    assert brute.status_quo_bfs(model, 0, others)[9] == -1
    assert status_quo_analysis(model, coalitions=others).distance_coalition[9] == -1


def test_errors() -> None:
    model = load_case("elmira").compile()
    with pytest.raises(ModelError):
        status_quo_analysis(model, status_quo=model.n_states)
    with pytest.raises(ModelError):
        status_quo_analysis(model, status_quo=-1)
    import dataclasses

    with pytest.raises(ModelError):
        status_quo_analysis(dataclasses.replace(model, status_quo=None))


@pytest.mark.parametrize(
    "coalition",
    [
        pytest.param(
            (0, 9),
        ),
        pytest.param(
            (-1, 0),
        ),
    ],
)
def test_unknown_dm_in_coalition_is_a_model_error(coalition) -> None:
    """coalition_analysis raises ModelError for these; status_quo_analysis should too."""
    model = load_case("elmira").compile()
    with pytest.raises(ModelError):
        status_quo_analysis(model, coalitions=[coalition])
