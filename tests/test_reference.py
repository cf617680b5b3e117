"""The vectorised engine and the plain per-run reference agree statistically on every built-in."""

from __future__ import annotations

import numpy as np
import pytest

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


@pytest.mark.parametrize("scenario", redline.builtin_names())
def test_engine_agrees_with_reference(scenario):
    horizon = 90
    ref = simulate_reference(scenario, runs=REF_RUNS, seed=11, horizon=horizon)
    eng = redline.simulate(scenario, runs=ENGINE_RUNS, seed=12, horizon=horizon)
    failures = []
    for a in eng.model.actions:
        z = _z(ref.totals[a.index].astype(float), eng.totals[a.index].astype(float))
        if z > Z:
            failures.append(f"events of {a.id}: ref {ref.totals[a.index].mean():.3f} vs engine "
                            f"{eng.totals[a.index].mean():.3f} (z={z:.1f})")
    for o, (oid, _) in enumerate(eng.model.first_passage):
        z = _z((ref.first_passage[o] >= 0).astype(float), (eng.first_passage[o] >= 0).astype(float))
        if z > Z:
            failures.append(f"outcome {oid} (z={z:.1f})")
    for q, (qid, _) in enumerate(eng.model.quantities):
        z = _z(ref.quantity_values[q], eng.quantity_values[q])
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
    """Guard against a vacuous comparison: a 30% change in a rate is caught."""
    ref = simulate_reference("iraq-2020", runs=REF_RUNS, seed=11, horizon=90)
    eng = redline.simulate("iraq-2020", ["green_light"], runs=ENGINE_RUNS, seed=12, horizon=90)
    a = eng.model.actions[0]
    assert a.id == "militia_attack_us"
    assert _z(ref.totals[0].astype(float), eng.totals[0].astype(float)) > Z
