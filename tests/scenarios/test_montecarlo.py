"""Monte Carlo: zero variance = deterministic, seeded reproducibility (NumPy and Dask), bad input."""

from __future__ import annotations

import numpy as np
import pytest

from carbonpeak.errors import InputError
from carbonpeak.scenarios.demo_scenarios import DEMO_BASE_YEAR, DEMO_SCENARIOS, demo_base_frame
from carbonpeak.scenarios.montecarlo import Distribution, run_montecarlo
from carbonpeak.scenarios.peak import find_peak
from carbonpeak.scenarios.projection import BaseYear, base_year, project
from carbonpeak.service.outlook.mc_runner import mapper_for

PLAN = DEMO_SCENARIOS["plan_policy"]
UNCERTAIN = [
    Distribution("output_growth", "normal", {"mean": 0.0, "sd": 0.01}),
    Distribution("grid_ef", "lognormal", {"mu": 0.0, "sigma": 0.1}, mode="scale"),
    Distribution("energy_intensity_improvement", "triangular", {"left": -0.005, "mode": 0.0, "right": 0.01}),
    Distribution("green_power_share", "uniform", {"low": -0.05, "high": 0.1}, selector="metal=Al"),
]
CORR = np.array([[1.0, 0.5, 0, 0], [0.5, 1.0, 0, 0], [0, 0, 1.0, 0], [0, 0, 0, 1.0]])


@pytest.fixture(scope="module")
def base() -> BaseYear:
    return base_year(demo_base_frame(), DEMO_BASE_YEAR)


def test_zero_variance_reproduces_the_deterministic_projection_exactly(base: BaseYear) -> None:
    zero = [
        Distribution("output_growth", "normal", {"mean": 0.0, "sd": 0.0}),
        Distribution("grid_ef", "lognormal", {"mu": 0.0, "sigma": 0.0}, mode="scale"),
        Distribution("coal_to_gas", "uniform", {"low": 0.0, "high": 0.0}),
        Distribution("electrification", "triangular", {"left": 0.0, "mode": 0.0, "right": 0.0}),
    ]
    r = run_montecarlo(base, PLAN, zero, 7, seed=3, chunk=3, registry=DEMO_SCENARIOS)
    det = project(base, PLAN, registry=DEMO_SCENARIOS)
    total = det.total()
    assert np.array_equal(r.deterministic, total)
    assert np.array_equal(r.fan, np.broadcast_to(total, r.fan.shape))
    pk = find_peak(det.years, total)
    assert set(r.peak_year.tolist()) == {pk.year} and set(r.peak_value.tolist()) == {pk.value}
    assert r.p_peak_by_deadline == float(pk.before_2030)


def test_same_seed_same_result_other_seed_other_result(base: BaseYear) -> None:
    kw = {"correlation": CORR, "registry": DEMO_SCENARIOS, "chunk": 64}
    a = run_montecarlo(base, PLAN, UNCERTAIN, 300, seed=11, **kw)  # type: ignore[arg-type]
    b = run_montecarlo(base, PLAN, UNCERTAIN, 300, seed=11, **kw)  # type: ignore[arg-type]
    c = run_montecarlo(base, PLAN, UNCERTAIN, 300, seed=12, **kw)  # type: ignore[arg-type]
    assert np.array_equal(a.fan, b.fan) and np.array_equal(a.peak_year, b.peak_year)
    assert not np.array_equal(a.fan, c.fan)
    assert a.fan.shape == (5, 41) and np.all(np.diff(a.fan, axis=0) >= 0)
    assert 0.0 <= a.p_peak_by_deadline <= 1.0
    assert sum(a.peak_year_distribution().values()) == pytest.approx(1.0)


def test_the_dask_cluster_gives_the_numpy_result(base: BaseYear) -> None:
    from distributed import LocalCluster

    kw = {"correlation": CORR, "registry": DEMO_SCENARIOS, "chunk": 50}
    ref = run_montecarlo(base, PLAN, UNCERTAIN, 200, seed=5, **kw)  # type: ignore[arg-type]
    # threads in this process, but a real TCP scheduler: the client connects by address
    with LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        dashboard_address=None,
        protocol="tcp://",
        host="127.0.0.1",
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        seen: list[int] = []
        got = run_montecarlo(
            base,
            PLAN,
            UNCERTAIN,
            200,
            seed=5,
            map_chunks=mapper_for(address),
            progress=lambda d, t: seen.append(d),
            **kw,
        )  # type: ignore[arg-type]
    assert seen == [1, 2, 3, 4]
    assert np.array_equal(ref.fan, got.fan)
    assert np.array_equal(ref.peak_year, got.peak_year)
    assert np.array_equal(ref.peak_value, got.peak_value)


def test_draws_follow_their_distributions(base: BaseYear) -> None:
    from carbonpeak.scenarios.montecarlo import _factor, sample_drivers

    rng = np.random.default_rng(1)
    x = sample_drivers(UNCERTAIN, _factor(CORR), 200_000, rng)
    assert x[:, 0].mean() == pytest.approx(0.0, abs=2e-4) and x[:, 0].std() == pytest.approx(0.01, rel=0.02)
    assert np.log(x[:, 1]).std() == pytest.approx(0.1, rel=0.02)
    assert np.corrcoef(x[:, 0], np.log(x[:, 1]))[0, 1] == pytest.approx(0.5, abs=0.01)
    assert x[:, 2].min() >= -0.005 and x[:, 2].max() <= 0.01
    assert x[:, 2].mean() == pytest.approx((-0.005 + 0.0 + 0.01) / 3, abs=1e-4)
    assert x[:, 3].min() >= -0.05 and x[:, 3].max() <= 0.1


@pytest.mark.parametrize(
    ("dist", "reason"),
    [
        (Distribution("output_growth", "normal", {"mean": 0.0, "sd": -0.1}), "sd"),
        (Distribution("grid_ef", "lognormal", {"mu": 0.0, "sigma": -1.0}, mode="scale"), "sigma"),
        (Distribution("grid_ef", "uniform", {"low": 0.2, "high": 0.1}), "low"),
        (Distribution("grid_ef", "triangular", {"left": 0.0, "mode": 2.0, "right": 1.0}), "mode"),
        (Distribution("grid_ef", "normal", {"mean": 0.0}), "parameters"),
    ],
)
def test_impossible_parameters_name_the_driver(base: BaseYear, dist: Distribution, reason: str) -> None:
    with pytest.raises(InputError) as e:
        run_montecarlo(base, PLAN, [dist], 10, seed=1, registry=DEMO_SCENARIOS)
    p = e.value.problems[0]
    assert p.code == "scenario_bad_distribution" and p.fields["driver"] == dist.driver
    assert dist.driver in p.message_en and reason in p.message_en
    # the scenario, the driver and the years the draw moves, in both languages
    assert "'plan_policy'" in p.message_en and "2020–2060" in p.message_en
    assert "“plan_policy”" in p.message_zh and dist.driver in p.message_zh and "2020–2060" in p.message_zh


@pytest.mark.parametrize(
    "corr",
    [
        [[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]],  # not positive semi-definite
        [[1.0, 0.2], [0.3, 1.0]],  # wrong shape
    ],
)
def test_a_bad_correlation_matrix_is_refused(base: BaseYear, corr: list[list[float]]) -> None:
    dists = [Distribution("output_growth", "normal", {"mean": 0.0, "sd": 0.01})] * 3
    with pytest.raises(InputError) as e:
        run_montecarlo(base, PLAN, dists, 10, seed=1, correlation=corr, registry=DEMO_SCENARIOS)
    assert e.value.problems[0].code == "mc_correlation"


def test_a_singular_but_valid_correlation_is_accepted(base: BaseYear) -> None:
    dists = [
        Distribution("output_growth", "normal", {"mean": 0.0, "sd": 0.01}),
        Distribution("grid_ef", "normal", {"mean": 0.0, "sd": 0.01}),
    ]
    r = run_montecarlo(
        base, PLAN, dists, 20, seed=1, correlation=[[1.0, 1.0], [1.0, 1.0]], registry=DEMO_SCENARIOS
    )
    assert r.peak_year.shape == (20,)


def test_a_local_cluster_is_started_and_stopped_for_scheduler_local(base: BaseYear) -> None:
    kw = {"registry": DEMO_SCENARIOS, "chunk": 25}
    ref = run_montecarlo(base, PLAN, UNCERTAIN[:1], 60, seed=9, **kw)  # type: ignore[arg-type]
    got = run_montecarlo(base, PLAN, UNCERTAIN[:1], 60, seed=9, map_chunks=mapper_for("local"), **kw)  # type: ignore[arg-type]
    assert np.array_equal(ref.fan, got.fan) and np.array_equal(ref.peak_year, got.peak_year)


def test_zero_variance_on_a_selected_group_is_exact_too(base: BaseYear) -> None:
    zero = [
        Distribution("green_power_share", "normal", {"mean": 0.0, "sd": 0.0}, selector="metal=Zn"),
        Distribution(
            "output_growth",
            "uniform",
            {"low": 1.0, "high": 1.0},
            mode="scale",
            selector="metal=Al,route=al_electrolysis",
        ),
    ]
    r = run_montecarlo(base, PLAN, zero, 4, seed=0, registry=DEMO_SCENARIOS)
    assert np.array_equal(r.fan[2], project(base, PLAN, registry=DEMO_SCENARIOS).total())


def test_progress_is_reported_per_chunk_in_process_and_on_dask(base: BaseYear) -> None:
    kw = {"registry": DEMO_SCENARIOS, "chunk": 25}
    calls: list[tuple[int, int]] = []
    ref = run_montecarlo(base, PLAN, UNCERTAIN[:1], 90, seed=2, **kw)  # type: ignore[arg-type]
    got = run_montecarlo(
        base, PLAN, UNCERTAIN[:1], 90, seed=2, progress=lambda d, t: calls.append((d, t)), **kw
    )  # type: ignore[arg-type]
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert np.array_equal(ref.fan, got.fan)  # observing does not change the result
    calls.clear()
    dask = run_montecarlo(
        base,
        PLAN,
        UNCERTAIN[:1],
        90,
        seed=2,
        map_chunks=mapper_for("local"),
        progress=lambda d, t: calls.append((d, t)),
        **kw,
    )  # type: ignore[arg-type]
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]  # counted as tasks complete
    assert np.array_equal(ref.fan, dask.fan)


@pytest.mark.parametrize("address", ["127.0.0.1:8786", "tcp://", "tcp://host", "http://h:1"])
def test_a_malformed_scheduler_address_is_refused(base: BaseYear, address: str) -> None:
    with pytest.raises(InputError) as e:  # refused by the runner, before any work
        mapper_for(address)
    assert e.value.problems[0].code == "mc_scheduler_address"


def test_an_unreachable_scheduler_is_an_input_error(base: BaseYear) -> None:
    with pytest.raises(InputError) as e:
        run_montecarlo(
            base,
            PLAN,
            UNCERTAIN[:1],
            10,
            seed=1,
            map_chunks=mapper_for("tcp://127.0.0.1:1", 0.5),
            registry=DEMO_SCENARIOS,
        )
    p = e.value.problems[0]
    assert p.code == "mc_scheduler_unreachable" and p.value == "tcp://127.0.0.1:1"


def test_the_threaded_dask_scheduler_gives_the_numpy_result_bit_for_bit(base: BaseYear) -> None:
    kw = {"registry": DEMO_SCENARIOS, "chunk": 40}
    seen: list[int] = []
    ref = run_montecarlo(base, PLAN, UNCERTAIN, 200, seed=11, **kw)  # type: ignore[arg-type]
    got = run_montecarlo(
        base,
        PLAN,
        UNCERTAIN,
        200,
        seed=11,
        map_chunks=mapper_for("threads"),
        progress=lambda d, t: seen.append(d),
        **kw,  # type: ignore[arg-type]
    )
    assert np.array_equal(got.fan, ref.fan) and np.array_equal(got.peak_year, ref.peak_year)
    assert np.array_equal(got.peak_value, ref.peak_value)
    assert sorted(seen) == [1, 2, 3, 4, 5]  # one call per chunk
