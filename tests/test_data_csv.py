"""Tests of load_csv: the happy paths and every error message."""

import numpy as np
import pytest

from glassnet.data import load_csv


def write(tmp_path, text, name="d.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_text(text, encoding=encoding)
    return p


def test_string_labels_are_mapped_to_sorted_class_indices(tmp_path):
    p = write(tmp_path, "a,b,species\n1,2.5,setosa\n3,4,virginica\n\n5,-6e-1,setosa\n")
    X, y, classes = load_csv(p, target="species")
    assert X.dtype == np.float32 and X.shape == (3, 2)
    np.testing.assert_allclose(X, [[1, 2.5], [3, 4], [5, -0.6]], rtol=1e-6)
    assert classes == ["setosa", "virginica"]
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 0]
    assert [classes[i] for i in y] == ["setosa", "virginica", "setosa"]


def test_integer_labels_default_last_column_and_named_fields(tmp_path):
    p = write(tmp_path, "x1, x2 ,label\n0.5, 1 ,2\n1.5,2,0.0\n")
    data = load_csv(p)
    assert data.classes is None
    assert data.y.dtype == np.int64 and data.y.tolist() == [2, 0]
    assert data.X.shape == (2, 2)


def test_float_target_is_regression_column(tmp_path):
    p = write(tmp_path, "x,y\n1,0.25\n2,0.5\n")
    X, y, classes = load_csv(p, target="y")
    assert classes is None and y.dtype == np.float32 and y.shape == (2, 1)
    np.testing.assert_allclose(y[:, 0], [0.25, 0.5])


def test_target_by_position_features_subset_and_order(tmp_path):
    p = write(tmp_path, "y,a,b,c\ncat,1,2,3\ndog,4,5,6\n")
    X, y, classes = load_csv(p, target=0, features=["c", 1])
    np.testing.assert_array_equal(X, [[3, 1], [6, 4]])
    assert classes == ["cat", "dog"] and y.tolist() == [0, 1]


def test_no_header_semicolons_bom_and_quotes(tmp_path):
    p = write(tmp_path, '\ufeff1;2;"b"\n3;4;a\n', encoding="utf-8")
    X, y, classes = load_csv(p, header=False, delimiter=";")
    np.testing.assert_array_equal(X, [[1, 2], [3, 4]])
    assert classes == ["a", "b"] and y.tolist() == [1, 0]
    p2 = write(tmp_path, "\ufeffx,t\n1,0\n", name="bom.csv")
    assert load_csv(p2, target="x").X.tolist() == [[0.0]]  # the BOM is not part of "x"


def test_non_numeric_feature_names_column_and_line(tmp_path):
    p = write(tmp_path, "a,b,t\n1,2,0\n\n3,abc,1\n")
    with pytest.raises(ValueError, match=r"d.csv, line 4: column 'b' must be numeric, got 'abc'"):
        load_csv(p)


def test_empty_and_non_finite_features(tmp_path):
    p = write(tmp_path, "a,b,t\n1,,0\n")
    with pytest.raises(ValueError, match=r"line 2: column 'b' is empty \(a missing value\)"):
        load_csv(p)
    p = write(tmp_path, "a,b,t\n1,2,0\n1,nan,0\n")
    with pytest.raises(ValueError, match="line 3: column 'b' must be a finite number, got 'nan'"):
        load_csv(p)


def test_missing_target_lists_columns(tmp_path):
    p = write(tmp_path, "sepal,petal,kind\n1,2,a\n")
    with pytest.raises(
        ValueError,
        match=r"target column 'species' is not in the file; the "
        r"columns are 0: 'sepal', 1: 'petal', 2: 'kind'",
    ):
        load_csv(p, target="species")
    with pytest.raises(ValueError, match=r"target column 5 is out of range for 3 columns.*'kind'"):
        load_csv(p, target=5)
    with pytest.raises(ValueError, match="feature column 'x' is not in the file"):
        load_csv(p, target="kind", features=["x"])
    with pytest.raises(TypeError, match="name .* or a position"):
        load_csv(p, target=1.5)


def test_feature_and_target_conflicts(tmp_path):
    p = write(tmp_path, "a,b,t\n1,2,0\n")
    with pytest.raises(ValueError, match="both the target and a feature"):
        load_csv(p, features=["a", "t"])
    with pytest.raises(ValueError, match="twice"):
        load_csv(p, features=["a", 0])


def test_ragged_rows(tmp_path):
    p = write(tmp_path, "a,b,t\n1,2,0\n1,2\n")
    with pytest.raises(ValueError, match="line 3: expected 3 fields like the header, got 2"):
        load_csv(p)


def test_empty_files_and_targets(tmp_path):
    with pytest.raises(ValueError, match="is empty"):
        load_csv(write(tmp_path, "\n\n"))
    with pytest.raises(ValueError, match="header but no data"):
        load_csv(write(tmp_path, "a,b\n"))
    with pytest.raises(ValueError, match="line 3: target column 't' is empty"):
        load_csv(write(tmp_path, "a,t\n1,0\n2,\n"))
    with pytest.raises(ValueError, match="line 2: target column 't' is not a finite number"):
        load_csv(write(tmp_path, "a,t\n1,inf\n"))


def test_duplicate_header_and_bad_encoding_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match=r"duplicate column names: \['a'\]"):
        load_csv(write(tmp_path, "a,a,t\n1,2,0\n"))
    p = tmp_path / "latin.csv"
    p.write_bytes("a,t\n1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match="is not utf-8-sig text"):
        load_csv(p)
    assert load_csv(p, encoding="latin-1").classes == ["caf\xe9"]
    with pytest.raises(FileNotFoundError):
        load_csv(tmp_path / "missing.csv")


def test_malformed_quoting(tmp_path):
    p = write(tmp_path, 'a,t\n1,0\n1,"x"y\n')
    with pytest.raises(ValueError, match="d.csv, line 3: not valid CSV"):
        load_csv(p)
    p = write(tmp_path, 'a,t\n1,"unterminated\n')
    with pytest.raises(ValueError, match="not valid CSV"):
        load_csv(p)
    p = write(tmp_path, 'a,t\n"1","a, with comma"\n')
    assert load_csv(p).classes == ["a, with comma"]


# ----------------------------------------------------------------------------------------------
# A file without a header row (issue 10, item 5)
# ----------------------------------------------------------------------------------------------

NUMERIC_FIRST_ROWS = {
    "ints": "1,2,0\n3,4,1\n",
    "floats_and_signs": "-1.5,2e3,0\n3,4,1\n",
    "nan_and_inf": "nan,inf,1\n3,4,0\n",
}


@pytest.mark.parametrize("text", NUMERIC_FIRST_ROWS.values(), ids=NUMERIC_FIRST_ROWS.keys())
def test_all_numeric_first_row_is_refused_as_header(tmp_path, text):
    p = write(tmp_path, text)
    with pytest.raises(ValueError) as info:
        load_csv(p)
    message = str(info.value)
    assert str(p) in message and "line 1" in message
    assert "looks like data" in message
    assert "header=False" in message and "--no-header" in message


def test_header_with_a_numeric_name_among_text_names_is_a_header(tmp_path):
    p = write(tmp_path, "2019,2020,label\n1,2,0\n3,4,1\n")
    X, y, _ = load_csv(p, target="label")
    assert X.tolist() == [[1, 2], [3, 4]] and y.tolist() == [0, 1]


def test_no_header_reads_every_row_as_data_with_generated_names(tmp_path):
    rows = [[i, i * 0.5, i % 3] for i in range(200)]
    p = write(tmp_path, "\n".join(",".join(str(v) for v in r) for r in rows) + "\n")
    X, y, classes = load_csv(p, header=False)
    assert len(X) == 200 and X.shape == (200, 2)  # the first row is trained on too
    np.testing.assert_array_equal(X[0], [0, 0])
    assert y.tolist() == [r[2] for r in rows] and classes is None
    by_name = load_csv(p, header=False, target="column_1", features=["column_3"])
    np.testing.assert_array_equal(by_name.y, np.arange(200))
    with pytest.raises(ValueError, match="'column_1', 1: 'column_2', 2: 'column_3'"):
        load_csv(p, header=False, target="label")


def test_no_header_error_messages_speak_of_generated_names(tmp_path):
    p = write(tmp_path, "1,2,0\n3,x,1\n")
    with pytest.raises(ValueError, match=r"line 2: column 'column_2' must be numeric, got 'x'"):
        load_csv(p, header=False)
