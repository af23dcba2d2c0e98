"""The bundled public-domain text (the Book of Genesis, King James Version): load_text, checked by SHA-256."""

from __future__ import annotations

from pathlib import Path

from .download import read_checked

__all__ = ["TEXTS", "load_text"]

_FILES = Path(__file__).resolve().parent / "files"

# name -> (file, SHA-256 of its bytes, one line about it)
TEXTS: dict[str, tuple[str, str, str]] = {
    "genesis": (
        "genesis.txt",
        "e7b72bfd25d395f55a3bd0c1ada5cbf3fd627f61734d239503d834ac9b5e23b6",
        "the Book of Genesis, King James Version (1611): 1,533 verses, one per line, ASCII",
    ),
}


def load_text(name: str = "genesis") -> str:
    """A small text that ships with glassnet, for character-level language models.

    ``"genesis"`` is the Book of Genesis in the King James Version of 1611, one verse per line
    without the verse numbers: 196,818 characters, 60 distinct ones (letters, punctuation,
    space and newline; no digits). The translation's copyright has long expired
    (the Crown's perpetual rights apply in the United Kingdom only); the file was printed by
    Debian's ``bible-kjv`` program (see ``glassnet/data/files/PROVENANCE.md`` and
    ``tools/make_genesis.py``).

    The file's SHA-256 is checked on every load; a damaged or altered file raises
    ``ChecksumError`` (a ValueError) instead of being read.

    Args:
        name: which text (the keys of ``TEXTS``).

    Returns:
        The whole text as one ``str``.

    Example::

        text = load_text("genesis")
        text[:55]          # 'In the beginning God created the heaven and the earth.'
        chars = sorted(set(text))      # the vocabulary of a character-level model
    """
    if name not in TEXTS:
        raise ValueError(f"load_text: unknown text {name!r}; the bundled texts are {sorted(TEXTS)}")
    file_name, expected, _ = TEXTS[name]
    path = _FILES / file_name
    raw = read_checked(path, expected, "text", "tools/make_genesis.py")
    return raw.decode("ascii")
