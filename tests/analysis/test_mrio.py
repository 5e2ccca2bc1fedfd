"""Reading and validating tables: every bad table is refused with one line naming the problem."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymrio
import pytest

from gvc_abm.analysis.mrio import TableError, mrio_from_arrays, mrio_from_iosystem, read_table


def small_io(G=2, N=2, seed=0) -> pymrio.IOSystem:
    rng = np.random.default_rng(seed)
    idx = pd.MultiIndex.from_product([[f"R{r}" for r in range(G)], [f"s{i}" for i in range(N)]], names=["region", "sector"])
    cols = pd.MultiIndex.from_product([[f"R{r}" for r in range(G)], ["household", "investment"]], names=["region", "category"])
    Z = pd.DataFrame(rng.uniform(1, 5, (G * N, G * N)), index=idx, columns=idx)
    Y = pd.DataFrame(rng.uniform(5, 10, (G * N, 2 * G)), index=idx, columns=cols)
    return pymrio.IOSystem(Z=Z, Y=Y, name="small")


def test_final_demand_categories_are_summed_per_destination():
    io = small_io()
    m = mrio_from_iosystem(io)
    np.testing.assert_allclose(m.Y[:, 0], io.Y["R0"].sum(axis=1).to_numpy())
    assert m.countries == ("R0", "R1") and m.sectors == ("s0", "s1")


@pytest.mark.parametrize("fmt", ["txt", "parquet"])
def test_reads_save_all_folders(tmp_path, fmt):
    io = small_io()
    io.save_all(tmp_path / "t", table_format=fmt)
    m = read_table(tmp_path / "t")
    np.testing.assert_allclose(m.Z, io.Z.to_numpy())


def test_missing_path_and_not_a_pymrio_folder(tmp_path):
    with pytest.raises(TableError, match="no such file or directory"):
        read_table(tmp_path / "nope")
    with pytest.raises(TableError, match="file_parameters.json"):
        read_table(tmp_path)
    with pytest.raises(TableError, match="unknown format 'xyz'"):
        read_table(tmp_path, "xyz")


def test_unreadable_raw_download_is_one_line(tmp_path):
    bad = tmp_path / "garbage.zip"
    bad.write_text("not a zip")
    with pytest.raises(TableError) as err:
        read_table(bad, "exiobase3")
    assert str(bad) in str(err.value) and "\n" not in str(err.value)


def test_non_square_Z():
    with pytest.raises(TableError, match="square"):
        mrio_from_arrays(np.ones((2, 3)), np.ones((2, 2)), ["a", "b"], ["s"])


def test_label_count_mismatch():
    with pytest.raises(TableError, match="labels"):
        mrio_from_arrays(np.ones((3, 3)), np.ones((3, 2)), ["a", "b"], ["s"])


def test_mismatched_labels_in_iosystem():
    io = small_io()
    io.Y.index = pd.MultiIndex.from_product([["R0", "R9"], ["s0", "s1"]], names=["region", "sector"])
    with pytest.raises(TableError, match="Y row labels differ"):
        mrio_from_iosystem(io)
    io = small_io()
    io.Z.columns = pd.MultiIndex.from_product([["R0", "R1"], ["s0", "sX"]], names=["region", "sector"])
    with pytest.raises(TableError, match="Z row labels and column labels differ"):
        mrio_from_iosystem(io)


def test_nan_is_refused():
    Z = np.ones((2, 2))
    Z[0, 1] = np.nan
    with pytest.raises(TableError, match="Z has 1 missing"):
        mrio_from_arrays(Z, np.ones((2, 2)), ["a", "b"], ["s"], source="t.txt")


def test_negative_gross_output_names_the_sector():
    Y = np.array([[1.0, 1.0], [-10.0, 1.0]])
    with pytest.raises(TableError, match="negative gross output .* in b/s"):
        mrio_from_arrays(np.ones((2, 2)), Y, ["a", "b"], ["s"])


def test_error_message_names_the_source():
    with pytest.raises(TableError, match="^mytable: Z must be square"):
        mrio_from_arrays(np.ones((2, 3)), np.ones((2, 2)), ["a", "b"], ["s"], source="mytable")
