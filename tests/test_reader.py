"""The learned reader: its features, its training, the weights the package ships, and what it adds to the rules."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pytest

from redline.evidence import DEFAULT_SCENARIO, Pipeline
from redline.evidence.actors import ActorMention
from redline.evidence.read import Document
from redline.evidence.reader import Reader, corpus_examples, cues, features, shipped_reader, train
from redline.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def scenario():  # type: ignore[no-untyped-def]
    return load_scenario(DEFAULT_SCENARIO).scenario


def test_features_are_stems_pairs_and_cues() -> None:
    text = "Militias fired rockets at the US embassy on Sunday."
    found = features(text, [ActorMention("US", "us", 33, 35)])
    assert {"w:militia", "w:fire", "w:rocket", "b:fire_rocket", "w:<num>"} - found == {"w:<num>"}
    c = cues(text, [ActorMention("US", "us", 33, 35)])
    assert {"a:us", "i:kh", "t:us", "g:attack", "d:date"} <= set(c)
    assert "g:attack&t:us" in found  # every pair of cues
    assert "w:<num>" in features("21 rockets hit the base.", [])


def test_training_learns_a_separable_rule() -> None:
    """One action reported exactly when two cues come together: the fitted reader scores it high there, low
    elsewhere, and an action with no example never fires."""
    rng = np.random.default_rng(0)
    data = []
    for _ in range(300):
        a, b, noise = rng.random() < 0.5, rng.random() < 0.5, f"w:n{rng.integers(50)}"
        feats = {noise} | ({"g:attack"} if a else set()) | ({"t:us"} if b else set())
        feats |= {"g:attack&t:us"} if a and b else set()
        data.append((feats, {"militia_attack_us"} if a and b else set()))
    reader = train(data, ["militia_attack_us", "us_drawdown"], c=10.0)
    hit = reader.bias + reader.weights[[reader.vocabulary[f] for f in ("g:attack", "t:us", "g:attack&t:us")]].sum(0)
    miss = reader.bias + reader.weights[[reader.vocabulary["g:attack"]]].sum(0)
    assert 1 / (1 + np.exp(-hit[0])) > 0.9 and 1 / (1 + np.exp(-miss[0])) < 0.1
    assert reader.bias[1] < -10  # no example of a drawdown


def test_weights_round_trip(tmp_path: Path) -> None:
    reader = train([({"w:a", "w:b"}, {"x"}), ({"w:a", "w:c"}, set())] * 5, ["x"], min_count=1)
    reader.write(tmp_path / "r.json")
    import json

    again = Reader.from_dict(json.loads((tmp_path / "r.json").read_text()))
    assert again.vocabulary == reader.vocabulary and np.allclose(again.weights, reader.weights, atol=1e-5)
    with pytest.raises(ValueError, match="features version"):
        Reader.from_dict({**reader.to_dict(), "features_version": 0})


def test_shipped_reader_is_what_the_training_script_makes(scenario) -> None:  # type: ignore[no-untyped-def]
    """data/reader.json is reproducible: training on the corpora it names gives the same weights."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from train_reader import DATA

    shipped = shipped_reader()
    assert shipped is not None and shipped.trained_on
    rules = Pipeline(scenario, reader=None)
    examples = [e for name in shipped.trained_on for e in corpus_examples(DATA / name, rules)]
    again = train(examples, shipped.actions, threshold=shipped.threshold, threshold_beside=shipped.threshold_beside,
                  trained_on=shipped.trained_on)
    assert again.vocabulary.keys() == shipped.vocabulary.keys()
    order = [again.vocabulary[f] for f in shipped.vocabulary]
    assert np.allclose(again.weights[order], shipped.weights, atol=1e-4)
    assert np.allclose(again.bias, shipped.bias, atol=1e-4)


def _mentions(pipeline: Pipeline, text: str) -> list[tuple[str, str]]:
    doc = Document("x.txt", text, title="", date=dt.date(2021, 3, 5), url="", outlet="")
    return [(m.action, str(m.date)) for m in pipeline.process(doc).mentions]


def test_reader_adds_what_the_rules_miss(scenario) -> None:  # type: ignore[no-untyped-def]
    """Verbs the phrase rules do not list ("pounded"), with the event dated as the rules date theirs."""
    rules, both = Pipeline(scenario, reader=None), Pipeline(scenario)
    attack = "Militiamen pounded the Ain al-Asad base with a volley of Katyushas on Tuesday, wounding two American soldiers."
    strike = "American F-15s pounded a weapons depot used by Iran-backed groups near Deir ez-Zor on Tuesday."
    assert _mentions(rules, attack) == [] and _mentions(rules, strike) == []
    assert _mentions(both, attack) == [("militia_attack_us", "2021-03-02")]
    assert _mentions(both, strike) == [("us_strike_militia", "2021-03-02")]


def test_reader_weighs_hypothetical_cues(scenario) -> None:  # type: ignore[no-untyped-def]
    """The reader learned from the corpora's flagged statements: "could ... if" turns an attack it would add
    into nothing."""
    both = Pipeline(scenario)
    reader = both.reader
    assert reader is not None
    fact = "Militiamen pounded the Ain al-Asad base with Katyushas on Tuesday."
    maybe = "Militiamen could pound the Ain al-Asad base with Katyushas if the talks fail."
    assert reader.scores(fact, [])["militia_attack_us"] >= reader.threshold
    assert reader.scores(maybe, [])["militia_attack_us"] < reader.threshold
    assert _mentions(both, maybe) == []
