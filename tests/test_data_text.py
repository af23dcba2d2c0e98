"""The bundled text: what load_text returns, and that a damaged or missing file is refused."""

import pytest

import glassnet.data.text as text_module
from glassnet.data import ChecksumError, load_text


def test_genesis_is_the_whole_book_one_verse_a_line():
    text = load_text("genesis")
    lines = text.splitlines()
    assert len(lines) == 1533 and len(text) == 196818
    assert lines[0] == "In the beginning God created the heaven and the earth."
    assert lines[-1].startswith("So Joseph died, being an hundred and ten years old")
    assert not any(ch.isdigit() for ch in text)  # verse numbers are gone


def test_tampered_copy_is_refused(tmp_path, monkeypatch):
    (tmp_path / "genesis.txt").write_text(load_text().replace("God", "Dog", 1), encoding="ascii")
    monkeypatch.setattr(text_module, "_FILES", tmp_path)
    with pytest.raises(ChecksumError, match="damaged or altered: its SHA-256 is [0-9a-f]{64}"):
        load_text("genesis")


def test_missing_file_and_unknown_name(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="unknown text 'iliad'; the bundled texts are"):
        load_text("iliad")
    monkeypatch.setattr(text_module, "_FILES", tmp_path)
    with pytest.raises(FileNotFoundError, match="bundled text file is missing"):
        load_text("genesis")
