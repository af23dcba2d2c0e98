"""Data files on disk: the cache folder, SHA-256 checks and atomic, verified downloads."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from ..atomic import atomic_write

__all__ = [
    "ChecksumError",
    "cache_dir",
    "download_file",
    "fetch_url",
    "read_checked",
    "sha256_file",
]

_CHUNK = 1 << 20


class ChecksumError(ValueError):
    """A file's SHA-256 is not the one it must have (a corrupt, truncated or tampered file)."""


def cache_dir() -> Path:
    """The folder where glassnet keeps downloaded data sets.

    It is ``$GLASSNET_CACHE`` when that environment variable is set, else ``~/.cache/glassnet``.
    The folder is not created here; downloads create it when they need it.
    """
    env = os.environ.get("GLASSNET_CACHE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "glassnet"


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, as 64 lowercase hex digits (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_checked(path: str | os.PathLike[str], sha256: str, what: str, rebuild: str) -> bytes:
    """The bytes of a file that ships with glassnet, after checking its SHA-256.

    ``what`` names it in messages ("digits", "text"), ``rebuild`` is the tool that makes it.
    Raises FileNotFoundError when it is missing and ChecksumError when it was damaged.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"the bundled {what} file is missing: {path}. Reinstall glassnet, or rebuild it "
            f"with {rebuild}"
        ) from None
    got = hashlib.sha256(raw).hexdigest()
    if got != sha256:
        raise ChecksumError(
            f"the {what} file {path} is damaged or altered: its SHA-256 is {got}, expected "
            f"{sha256}. Reinstall glassnet, or rebuild it with {rebuild}"
        )
    return raw


def fetch_url(url: str, out: IO[bytes], timeout: float = 60.0) -> None:
    """Copy the body of ``url`` into the binary file ``out`` (http, https or file URLs).

    This is the one function that touches the network; tests replace it or use file:// URLs.
    """
    import urllib.request  # here, not at the top: it is slow to import and rarely needed

    request = urllib.request.Request(url, headers={"User-Agent": "glassnet"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        for chunk in iter(lambda: response.read(_CHUNK), b""):
            out.write(chunk)


def download_file(
    urls: Sequence[str],
    dest: str | os.PathLike[str],
    sha256: str,
    *,
    fetch: Callable[[str, IO[bytes]], None] | None = None,
) -> Path:
    """Download a file, trying each mirror in turn, and keep it only if its SHA-256 matches.

    The bytes go to a temporary file next to ``dest`` which is renamed onto ``dest`` only after
    the checksum matched (see ``glassnet.atomic``), so ``dest`` is never left half written or
    wrong. The folder of ``dest`` is created if needed.

    Args:
        urls: mirrors to try, in order; the first that delivers the right bytes wins.
        dest: where the file goes.
        sha256: the expected SHA-256 (hex).
        fetch: ``fetch(url, fileobj)`` writing the body of ``url``; default ``fetch_url``.

    Returns:
        ``dest`` as a Path.

    Raises:
        OSError: no mirror could be reached (the message lists every mirror and its error).
        ChecksumError: every mirror that answered sent bytes with another SHA-256.
    """
    if not urls:
        raise ValueError("download_file needs at least one URL")
    fetch = fetch or fetch_url
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    bad_checksum = False
    for url in urls:
        try:
            with atomic_write(dest, "wb") as f:
                digest = hashlib.sha256()
                fetch(url, _HashingWriter(f, digest))
                got = digest.hexdigest()
                if got != sha256.lower():
                    # Raising inside the block deletes the temporary file; dest is untouched.
                    raise ChecksumError(
                        f"{url} sent a file with SHA-256 {got}, expected {sha256.lower()}"
                    )
            return dest
        except ChecksumError as e:
            bad_checksum = True
            failures.append(str(e))
        except (OSError, ValueError) as e:  # urllib's URLError is an OSError
            failures.append(f"{url}: {e}")
    detail = "\n  ".join(failures)
    if bad_checksum:
        raise ChecksumError(f"could not download a valid {dest.name}:\n  {detail}")
    raise OSError(f"could not download {dest.name} (no network?):\n  {detail}")


class _HashingWriter:
    """A binary file wrapper that feeds every written chunk to a hash as well."""

    def __init__(self, out: IO[bytes], digest: Any) -> None:
        self._out = out
        self._digest = digest

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        return self._out.write(data)
