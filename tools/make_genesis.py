"""Build src/glassnet/data/files/genesis.txt, the Book of Genesis (King James Version), from Debian's bible-kjv (run once; kept for provenance).

Debian's ``bible-kjv-text`` package holds the whole King James Bible in a compressed format of
its own, which its ``bible`` program (package ``bible-kjv``) prints. This script asks that
program for Genesis 1:1 to 50:26 with very long lines (one verse per line), drops the chapter
headings and the verse numbers, and writes the verses one per line in UTF-8 (the text is plain
ASCII): 1,533 lines, 196,818 bytes.

Usage (no installation needed: unpack both packages into a folder)::

    apt-get download bible-kjv bible-kjv-text
    dpkg-deb -x bible-kjv_4.38_amd64.deb kjv && dpkg-deb -x bible-kjv-text_4.38_all.deb kjv
    python tools/make_genesis.py kjv/usr/bin/bible kjv/usr/lib
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "glassnet" / "data" / "files" / "genesis.txt"
VERSE = re.compile(r"^\s*\d+ (.*)$")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bible", help="the bible program of Debian's bible-kjv package")
    parser.add_argument("data_folder", help="the folder holding bible.data (bible-kjv-text)")
    args = parser.parse_args()
    printed = subprocess.run(
        [args.bible, "-l1000", "-p", args.data_folder, "gen1:1-50:26"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    verses = [m.group(1).strip() for line in printed.splitlines() if (m := VERSE.match(line))]
    text = "\n".join(verses) + "\n"
    OUT.write_text(text, encoding="utf-8", newline="\n")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    print(f"wrote {OUT}: {len(verses)} verses, {len(text.encode())} bytes, SHA-256 {digest}")


if __name__ == "__main__":
    main()
