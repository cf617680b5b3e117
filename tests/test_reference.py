"""The vectorised engine and the plain per-run reference agree statistically on every built-in."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import redline
from redline.engine.reference import simulate_reference

REF_RUNS = 250
ENGINE_RUNS = 20_000
Z = 4.5  # ~25 comparisons per scenario: a false alarm needs a 4.5-sigma fluke


def _z(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample z statistic with the pooled variance (valid under the null, also for rare events)."""
    pooled = np.concatenate([a, b]).var(ddof=1)
    se = np.sqrt(pooled * (1 / a.size + 1 / b.size))
    diff = abs(a.mean() - b.mean())
    return 0.0 if diff == 0 else (np.inf if se == 0 else diff / se)


def _share_z(ref: np.ndarray, eng: np.ndarray) -> float:
    """Exact binomial test of the reference's count of runs with the event against the engine's share,
    expressed as an equivalent normal z (shares near 0 or 1 break the normal approximation)."""
    p = min(max((eng > 0).mean(), 1 / eng.size), 1 - 1 / eng.size)
    pvalue = stats.binomtest(int((ref > 0).sum()), ref.size, p).pvalue
    return float(stats.norm.isf(pvalue / 2))


def _tamed(ref: np.ndarray, eng: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Clip both samples to the engine's 0.5-99.5% range: escalation spirals make counts heavy-tailed,
    and one extreme reference run would otherwise decide a test of means."""
    lo, hi = np.quantile(eng, [0.005, 0.995])
    return np.clip(ref, lo, hi), np.clip(eng, lo, hi)


@pytest.mark.parametrize("scenario", redline.builtin_names())
def test_engine_agrees_with_reference(scenario):
    horizon = 90
    ref = simulate_reference(scenario, runs=REF_RUNS, seed=11, horizon=horizon)
    eng = redline.simulate(scenario, runs=ENGINE_RUNS, seed=12, horizon=horizon)
    failures = []
    for a in eng.model.actions:
        r, e = ref.totals[a.index].astype(float), eng.totals[a.index].astype(float)
        z = max(_z(*_tamed(r, e)), _share_z(r, e))
        if z > Z:
            failures.append(f"events of {a.id}: ref {r.mean():.3f} vs engine {e.mean():.3f} (z={z:.1f})")
    for o, (oid, _) in enumerate(eng.model.first_passage):
        z = _share_z(ref.first_passage[o] + 1, eng.first_passage[o] + 1)
        if z > Z:
            failures.append(f"outcome {oid} (z={z:.1f})")
    for q, (qid, _) in enumerate(eng.model.quantities):
        z = _z(*_tamed(ref.quantity_values[q], eng.quantity_values[q]))
        if z > Z:
            failures.append(f"quantity {qid} (z={z:.1f})")
    z = _z(ref.max_rung.astype(float), eng.max_rung.astype(float))
    if z > Z:
        failures.append(f"highest rung (z={z:.1f})")
    assert not failures, "; ".join(failures)
    # The comparison has power: the busiest action happens often in both.
    busiest = int(np.argmax(eng.totals.mean(axis=1)))
    assert ref.totals[busiest].mean() > 1.0


def test_reference_detects_a_changed_model():
    """Guard against a vacuous comparison: green_light (58% more militia attacks) must be caught."""
    ref = simulate_reference("iraq-2020", runs=REF_RUNS, seed=11, horizon=90)
    eng = redline.simulate("iraq-2020", ["green_light"], runs=ENGINE_RUNS, seed=12, horizon=90)
    a = eng.model.actions[0]
    assert a.id == "militia_attack_us"
    assert _z(ref.totals[0].astype(float), eng.totals[0].astype(float)) > Z
