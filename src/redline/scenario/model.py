"""The scenario format as pydantic models (shape and local rules only).

Cross-references between sections (an action's actor, a name inside an
expression, a policy's override target) are checked in ``validate.py``,
after the shape is known to be right.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]

ACTOR_KINDS = (
    "state",
    "militia",
    "government",
    "political_movement",
    "umbrella_organisation",
    "armed_group",
    "international_organisation",
    "other",
)
PLOVER_TYPES = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)
# ACLED event types and their sub-event types (ACLED codebook, 2023 edition).
ACLED_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    title: str
    outlet: str
    date: str
    url: str | None = None
    note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date_to_text(cls, v: object) -> object:
        if isinstance(v, dt.date):
            return v.isoformat()
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class TimeSpec(Strict):
    start: dt.date
    step: Literal["1 day"] = "1 day"
    horizon: int = Field(gt=0, le=3650, description="default number of simulated days")


class Actor(Strict):
    name: str
    kind: Literal[ACTOR_KINDS]  # type: ignore[valid-type]
    patron: str | None = None
    aliases: list[str] = []
    description: str | None = None


class Sourced(Strict):
    """Anything that rests on sources, or is marked as an assumption with its reason."""

    sources: list[str] = []
    why: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _needs_provenance(self) -> Sourced:
        if not self.sources and not self.assumption:
            raise ValueError(
                "needs provenance: give 'sources' (ids from the sources section) with 'why', "
                "or 'assumption' with its reason"
            )
        if self.sources and not self.why and not self.assumption:
            raise ValueError("'sources' given without 'why' (a one-line justification)")
        return self


class Relax(Strict):
    """Each day the gap between a state variable and ``to`` shrinks by half every ``half_life`` days."""

    to: float = 0.0
    half_life: str | float


class StateVar(Sourced):
    initial: float
    bounds: tuple[float, float] = (-math.inf, math.inf)
    unit: str
    description: str | None = None
    relax: Relax | None = None

    @model_validator(mode="after")
    def _check_bounds(self) -> StateVar:
        lo, hi = self.bounds
        if not lo < hi:
            raise ValueError(f"bounds must satisfy low < high, found [{lo}, {hi}]")
        if not lo <= self.initial <= hi:
            raise ValueError(f"initial value {self.initial} lies outside bounds [{lo}, {hi}]")
        if self.relax is not None and not lo <= self.relax.to <= hi:
            raise ValueError(f"relax target {self.relax.to} lies outside bounds [{lo}, {hi}]")
        return self


class Fixed(Strict):
    kind: Literal["fixed"]
    value: float


class Uniform(Strict):
    kind: Literal["uniform"]
    low: float
    high: float


class LogUniform(Strict):
    kind: Literal["loguniform"]
    low: float = Field(gt=0)
    high: float = Field(gt=0)


class Triangular(Strict):
    kind: Literal["triangular"]
    low: float
    mode: float
    high: float


class Normal(Strict):
    kind: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)
    low: float = -math.inf
    high: float = math.inf


class LogNormal(Strict):
    kind: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(gt=0, description="sd of the log")


class Beta(Strict):
    kind: Literal["beta"]
    a: float = Field(gt=0)
    b: float = Field(gt=0)
    low: float = 0.0
    high: float = 1.0


class Gamma(Strict):
    kind: Literal["gamma"]
    shape: float = Field(gt=0)
    scale: float = Field(gt=0)


Distribution = Annotated[
    Fixed | Uniform | LogUniform | Triangular | Normal | LogNormal | Beta | Gamma,
    Field(discriminator="kind"),
]


class Parameter(Sourced):
    value: float | None = None
    dist: Distribution | None = None
    unit: str
    description: str | None = None

    @model_validator(mode="after")
    def _value_or_dist(self) -> Parameter:
        if (self.value is None) == (self.dist is None):
            raise ValueError("give exactly one of 'value' (a fixed number) or 'dist' (a distribution)")
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError(f"value must be finite, found {self.value}")
        return self


class Rung(Strict):
    order: int = Field(ge=0)
    hostility: int = Field(ge=1, le=5, description="Militarized Interstate Dispute hostility level")
    description: str | None = None


class Hazard(Strict):
    probability: str | float | None = None
    rate: str | float | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Hazard:
        if (self.probability is None) == (self.rate is None):
            raise ValueError("give exactly one of 'probability' (daily chance) or 'rate' (expected events per day)")
        return self

    @property
    def kind(self) -> str:
        return "probability" if self.probability is not None else "rate"

    @property
    def text(self) -> str | float:
        return self.probability if self.probability is not None else self.rate  # type: ignore[return-value]


class Effects(Strict):
    add: dict[str, str | float] = {}
    set: dict[str, str | float] = {}


class Acled(Strict):
    event_type: str
    sub_event_type: str

    @model_validator(mode="after")
    def _known(self) -> Acled:
        if self.event_type not in ACLED_TYPES:
            raise ValueError(
                f"unknown ACLED event_type {self.event_type!r}; valid: {', '.join(ACLED_TYPES)}"
            )
        subs = ACLED_TYPES[self.event_type]
        if self.sub_event_type not in subs:
            raise ValueError(
                f"sub_event_type {self.sub_event_type!r} is not one of {self.event_type!r}'s: {', '.join(subs)}"
            )
        return self


class Action(Sourced):
    actor: str
    target: str
    rung: str
    description: str | None = None
    hazard: Hazard
    draws: dict[ID, str | float] = {}
    effects: Effects = Effects()
    fatalities: str | float | None = None
    acled: Acled
    plover: Literal[PLOVER_TYPES]  # type: ignore[valid-type]
    # parameter -> expression of quantities fitted to this action's recorded events (redline calibrate)
    calibrate: dict[ID, str | float] = {}


class Policy(Strict):
    actor: str
    description: str
    sources: list[str] = []
    why: str | None = None
    assumption: str | None = None
    parameters: dict[str, float | Distribution] = {}
    hazards: dict[str, Hazard] = {}
    initial: dict[str, float] = {}


class Outcome(Strict):
    kind: Literal["first_passage", "quantity"]
    description: str
    when: str | None = None
    value: str | float | None = None
    unit: str | None = None

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Outcome:
        if self.kind == "first_passage" and (self.when is None or self.value is not None):
            raise ValueError("a first_passage outcome needs 'when' (a condition) and no 'value'")
        if self.kind == "quantity" and (self.value is None or self.when is not None):
            raise ValueError("a quantity outcome needs 'value' (an expression) and no 'when'")
        return self


class Scenario(Strict):
    redline: Literal[1] = 1
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    description: str
    extends: str | None = None
    sources: dict[str, Source]
    time: TimeSpec
    actors: dict[ID, Actor]
    principal: str
    baseline: list[str] = []
    state: dict[ID, StateVar]
    parameters: dict[ID, Parameter]
    ladder: dict[ID, Rung]
    actions: dict[ID, Action]
    policies: dict[ID, Policy] = {}
    outcomes: dict[ID, Outcome]
