"""What the checks share: taking apart the tuple a learner's function returns."""

from __future__ import annotations

from typing import Any

from ..exercises import Report


def unpack(what: str, value: Any, names: tuple[str, ...], report: Report) -> tuple | None:
    """The parts of a returned tuple, or None after reporting that it is not one of that size.

    ``names`` are the parts the exercise asks for, used in the message: ("dx", "dW", "db").
    """
    if isinstance(value, (tuple, list)) and len(value) == len(names):
        return tuple(value)
    shown = f"a {len(value)}-tuple" if isinstance(value, (tuple, list)) else type(value).__name__
    report.wrong(f"{what}: expected the tuple ({', '.join(names)}), got {shown}")
    return None
