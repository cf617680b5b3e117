"""Train the learned reader (src/redline/evidence/data/reader.json) on the labelled corpora, and measure it.

    python benchmarks/train_reader.py                  # train on the tuning corpora, write reader.json
    python benchmarks/train_reader.py --cv             # leave one corpus out: scores of rules alone vs with it
    python benchmarks/train_reader.py --cv --c 1 --threshold 0.4

Training data: every sentence the reader would score (one with a word of force or politics), labelled with the
actions of the gold events it reports (tests/data/*/gold.yaml).  The corpora still held out blind are never
read here: name only corpora that have been measured blind already.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from eval_corpus import evaluate

from redline.evidence import DEFAULT_SCENARIO, Pipeline
from redline.evidence.reader import corpus_examples, train
from redline.scenario import load_scenario

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
TUNING = ("corpus", "heldout", "heldout2", "heldout3", "heldout4", "heldout5")  # measured blind once each, then used for tuning
OUT = Path(__file__).resolve().parents[1] / "src" / "redline" / "evidence" / "data" / "reader.json"


def _sentence_scores(reader, examples) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    tp = fp = fn = 0
    for feats, labels in examples:
        z = reader.bias + sum((reader.weights[reader.vocabulary[f]] for f in feats if f in reader.vocabulary), 0.0)
        got = {a for a, v in zip(reader.actions, z, strict=True) if 1 / (1 + math.exp(-v)) >= reader.threshold}
        tp += len(got & labels)
        fp += len(got - labels)
        fn += len(labels - got)
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", nargs="+", default=list(TUNING), help="corpora under tests/data to train on")
    ap.add_argument("--cv", action="store_true", help="leave each corpus out in turn instead of writing weights")
    ap.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    ap.add_argument("--threshold", type=float, default=0.25,
                    help="probability above which an action is added where the rules found none")
    ap.add_argument("--threshold-beside", type=float, default=0.6,
                    help="probability above which an action is added beside the rules' events")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    scenario = load_scenario(DEFAULT_SCENARIO).scenario
    actions = sorted(scenario.actions)
    rules = Pipeline(scenario, reader=None)
    t0 = time.perf_counter()
    examples = {name: corpus_examples(DATA / name, rules) for name in args.corpora}
    print(f"{sum(map(len, examples.values()))} sentences from {', '.join(args.corpora)} "
          f"({sum(bool(lab) for ex in examples.values() for _, lab in ex)} report an event) "
          f"in {time.perf_counter() - t0:.1f} s")
    if not args.cv:
        reader = train([e for ex in examples.values() for e in ex], actions, c=args.c, threshold=args.threshold,
                       threshold_beside=args.threshold_beside, trained_on=args.corpora)
        reader.write(args.out)
        print(f"wrote {args.out}: {len(reader.vocabulary)} features x {len(actions)} actions, "
              f"{args.out.stat().st_size / 1e6:.2f} MB")
        return
    print(f"{'left out':10} {'sentences P/R':>15} {'rules P/R/F1':>20} {'rules+reader P/R/F1':>22}")
    for name in args.corpora:
        reader = train([e for other, ex in examples.items() if other != name for e in ex], actions, c=args.c,
                       threshold=args.threshold, threshold_beside=args.threshold_beside)
        sp, sr = _sentence_scores(reader, examples[name])
        a = evaluate(DATA / name, pipeline=rules)
        b = evaluate(DATA / name, pipeline=Pipeline(scenario, reader=reader))
        print(f"{name:10} {sp:7.3f} {sr:7.3f} {a.precision:6.3f} {a.recall:6.3f} {a.f1:6.3f} "
              f"{b.precision:7.3f} {b.recall:6.3f} {b.f1:6.3f}")


if __name__ == "__main__":
    main()
