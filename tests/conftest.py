"""Shared fixtures: the toy scenario and broken variants of it written to tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
TOY_PATH = DATA / "toy.yaml"


@pytest.fixture
def toy_path() -> Path:
    """The toy scenario file (read-only: write variants with ``toy_variant``)."""
    return TOY_PATH


@pytest.fixture
def toy_text() -> str:
    """The text of the toy scenario."""
    return TOY_PATH.read_text(encoding="utf-8")


@pytest.fixture
def toy_variant(tmp_path: Path, toy_text: str) -> Callable[..., Path]:
    """Write a copy of the toy scenario with text replacements; return its path.

    ``toy_variant(("old", "new"), ..., name="x.yaml")``: each ``old`` must occur
    exactly once in the file, so a test cannot silently stop breaking anything
    when the toy scenario is edited.
    """

    def make(*replacements: tuple[str, str], name: str = "variant.yaml") -> Path:
        text = toy_text
        for old, new in replacements:
            assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in toy.yaml"
            text = text.replace(old, new)
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make



def assert_offline(page: str) -> None:
    """A self-contained page: plotly.js inline exactly once, and no tag that fetches anything."""
    import re

    from plotly.offline import get_plotlyjs

    assert page.count(get_plotlyjs()) == 1
    loaders = re.findall(r"<(?:script|link|img|iframe|embed|object)\b[^>]*>", page, flags=re.IGNORECASE)
    assert loaders  # the scripts are there...
    for tag in loaders:  # ...but none of them fetches anything
        assert not re.search(r"\b(?:src|href|data)\s*=", tag, flags=re.IGNORECASE), tag
