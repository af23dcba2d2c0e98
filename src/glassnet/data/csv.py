"""load_csv: a numeric table in a CSV file -> (features float32, targets, class names)."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

__all__ = ["CSVData", "load_csv"]


class CSVData(NamedTuple):
    """What load_csv returns; unpacks as ``X, y, classes = load_csv(...)``."""

    X: np.ndarray
    """float32 (n, d): the feature columns, in file order (or the order of ``features``)."""
    y: np.ndarray
    """int64 (n,) class labels, or float32 (n, 1) regression targets."""
    classes: list[str] | None
    """For text labels, the class names: ``classes[y[i]]`` is row i's label. Else None."""


def load_csv(
    path: str | os.PathLike[str],
    target: str | int = -1,
    features: Sequence[str | int] | None = None,
    header: bool = True,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
) -> CSVData:
    """Read a CSV file of numbers into a feature matrix and a target vector.

    The target column decides the task:

    * whole numbers (``0``, ``1``, ``2.0`` ...) are class labels, returned as int64 as they are;
    * other numbers are regression targets, float32 of shape (n, 1);
    * text (``setosa``, ``cat``, ...) are class names: they are sorted and replaced by their
      position, and the sorted names are returned as ``classes``.

    Every feature must be a finite number; blank lines are skipped.

    Args:
        path: the CSV file.
        target: the target column, by header name or by position (negative counts from the
            end; default the last column).
        features: the feature columns (names or positions); default every column but the target.
        header: the first line names the columns (default). A first line made only of
            numbers looks like data, not names, so it is refused with a ValueError pointing to
            ``header=False`` (``--no-header`` on the command line) rather than silently losing
            that row. With ``header=False`` every line is data and the columns are named
            ``"column_1"`` ... ``"column_N"`` (choose them by those names or by position).
        delimiter: the field separator (``","``; ``";"`` or ``"\\t"`` for other dialects).
        encoding: text encoding (UTF-8, with or without a byte-order mark, by default).

    Returns:
        ``CSVData(X, y, classes)``: a named tuple.

    Raises:
        ValueError: naming the file, line and column for a non-numeric, empty or non-finite
            feature, a row with the wrong number of fields or an empty target; listing the
            columns when ``target`` or a feature is not one of them; for a file with no data;
            for a header row made only of numbers (with ``header=True``).

    Example::

        X, y, classes = load_csv("iris.csv", target="species")
    """
    names, rows, lines = _read_rows(path, header, delimiter, encoding)
    where = os.fspath(path)
    t = _column(names, target, "target")
    if features is None:
        cols = [j for j in range(len(names)) if j != t]
    else:
        cols = [_column(names, f, "feature") for f in features]
        if t in cols:
            raise ValueError(f"column {names[t]!r} cannot be both the target and a feature")
        if len(set(cols)) != len(cols):
            raise ValueError(f"features lists a column twice: {list(features)}")
    X = np.empty((len(rows), len(cols)), dtype=np.float32)
    for k, j in enumerate(cols):
        X[:, k] = _numeric_column(rows, lines, j, names[j], where)
    y, classes = _target_column(rows, lines, t, names[t], where)
    return CSVData(X, y, classes)


def _read_rows(
    path: str | os.PathLike[str], header: bool, delimiter: str, encoding: str
) -> tuple[list[str], list[list[str]], list[int]]:
    """(column names, data rows of stripped strings, line number of each row)."""
    where = os.fspath(path)
    names: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        with open(path, newline="", encoding=encoding) as f:
            reader = csv.reader(f, delimiter=delimiter, strict=True)
            try:
                for row in reader:
                    cells = [c.strip() for c in row]
                    if not any(cells):
                        continue
                    if names is None:
                        if header:
                            _check_header(cells, where, reader.line_num)
                            names = cells
                            continue
                        names = [f"column_{j + 1}" for j in range(len(cells))]
                    if len(cells) != len(names):
                        source = "the header" if header else "the first row"
                        raise ValueError(
                            f"{where}, line {reader.line_num}: expected {len(names)} fields like "
                            f"{source}, got {len(cells)}"
                        )
                    rows.append(cells)
                    lines.append(reader.line_num)
            except csv.Error as e:
                raise ValueError(f"{where}, line {reader.line_num}: not valid CSV: {e}") from None
    except UnicodeDecodeError as e:
        raise ValueError(f"{where} is not {encoding} text: {e}") from None
    if names is None:
        raise ValueError(f"{where} is empty: no header and no data")
    if not rows:
        raise ValueError(f"{where} has a header but no data rows")
    if header and len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"{where} has duplicate column names: {dupes}")
    return names, rows, lines


def is_number(text: str) -> bool:
    """True when ``text`` reads as a number (``float(text)`` succeeds: "3", "-1e-4", "nan")."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_header(cells: list[str], where: str, line: int) -> None:
    """Refuse a header row made only of numbers: it is almost surely the first row of data."""
    if all(is_number(c) for c in cells):
        shown = ",".join(cells) if len(cells) <= 8 else ",".join(cells[:8]) + ",..."
        raise ValueError(
            f"{where}, line {line}: the first row ({shown}) looks like data, not column names; "
            "if the file has no header row, read it with header=False (on the command line: "
            "--no-header) and the columns are named column_1, column_2, ..."
        )


def _column(names: list[str], which: str | int, role: str) -> int:
    """The position of a column given by name or position, or an error listing the columns."""
    listing = ", ".join(f"{j}: {n!r}" for j, n in enumerate(names))
    if isinstance(which, str):
        if which in names:
            return names.index(which)
        raise ValueError(f"{role} column {which!r} is not in the file; the columns are {listing}")
    if isinstance(which, (int, np.integer)) and not isinstance(which, bool):
        if -len(names) <= which < len(names):
            return int(which) % len(names)
        raise ValueError(
            f"{role} column {which} is out of range for {len(names)} columns; the columns are "
            f"{listing}"
        )
    raise TypeError(f"{role} column must be a name (str) or a position (int), got {which!r}")


def _numeric_column(
    rows: list[list[str]], lines: list[int], j: int, name: str, where: str
) -> np.ndarray:
    values = [r[j] for r in rows]
    try:
        col = np.array(values, dtype=np.float64)
    except ValueError:
        col = None
    if col is not None and np.all(np.isfinite(col)):
        return col
    for value, line in zip(values, lines):
        if value == "":
            raise ValueError(f"{where}, line {line}: column {name!r} is empty (a missing value)")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(
                f"{where}, line {line}: column {name!r} must be numeric, got {value!r}"
            ) from None
        if not np.isfinite(number):
            raise ValueError(
                f"{where}, line {line}: column {name!r} must be a finite number, got {value!r}"
            )
    raise AssertionError("unreachable: a bad value was detected but not found")


def _target_column(
    rows: list[list[str]], lines: list[int], j: int, name: str, where: str
) -> tuple[np.ndarray, list[str] | None]:
    values = [r[j] for r in rows]
    for value, line in zip(values, lines):
        if value == "":
            raise ValueError(f"{where}, line {line}: target column {name!r} is empty")
    try:
        col = np.array(values, dtype=np.float64)
    except ValueError:
        classes = sorted(set(values))
        lookup = {c: i for i, c in enumerate(classes)}
        return np.array([lookup[v] for v in values], dtype=np.int64), classes
    if not np.all(np.isfinite(col)):
        line = lines[int(np.flatnonzero(~np.isfinite(col))[0])]
        raise ValueError(f"{where}, line {line}: target column {name!r} is not a finite number")
    if np.all(col == np.round(col)) and np.all(np.abs(col) < 2**53):
        return col.astype(np.int64), None
    return col.astype(np.float32).reshape(-1, 1), None
