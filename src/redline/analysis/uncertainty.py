"""Where the spread of an outcome comes from: parameter uncertainty or chance.

With ``simulate(..., replicates=k)`` every parameter draw is shared by k runs.
The law of total variance, Var(Y) = Var(E[Y | parameters]) + E[Var(Y | parameters)],
is then estimated from the k-run groups: the mean within-group variance is the
part due to chance, and the variance of the group means, less that chance
part divided by k (its expected contribution), is the part due to what we do
not know about the parameters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from redline.engine.results import Results
from redline.errors import RedlineError


def spread_sources(res: Results) -> pd.DataFrame:
    """Share of each outcome's variance due to parameter uncertainty and to chance."""
    k = res.model.replicates
    if k < 2:
        raise RedlineError("spread_sources needs runs that share parameter draws: simulate with replicates >= 2")
    groups = res.runs // k
    if groups < 2:
        raise RedlineError(f"need at least 2 parameter draws, found {groups} ({res.runs} runs / {k} replicates)")
    series = {f"P({oid})": (res.first_passage[o] >= 0).astype(float) for o, (oid, _) in enumerate(res.model.first_passage)}
    series.update({qid: res.quantity_values[q] for q, (qid, _) in enumerate(res.model.quantities)})
    rows = []
    for name, y in series.items():
        y = y[: groups * k].reshape(groups, k)
        within = float(y.var(axis=1, ddof=1).mean())
        between = max(float(y.mean(axis=1).var(ddof=1)) - within / k, 0.0)
        total = between + within
        rows.append({
            "outcome": name,
            "variance": total,
            "parameters_share": between / total if total > 0 else np.nan,
            "chance_share": within / total if total > 0 else np.nan,
        })
    return pd.DataFrame(rows).set_index("outcome")
