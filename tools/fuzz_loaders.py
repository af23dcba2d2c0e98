"""Fuzz the loaders that read outside data: glassnet.load, the IDX reader, load_csv and the
INPUT reader of `glassnet predict`, with atheris (coverage-guided, libFuzzer's engine).

Run it for minutes, outside CI (it needs ``pip install -e .[fuzz]``)::

    PYTHONPATH=src python tools/fuzz_loaders.py load -max_total_time=600
    PYTHONPATH=src python tools/fuzz_loaders.py all -max_total_time=300   # each target in turn

Anything after the target name is passed to libFuzzer (``-max_total_time``, ``-runs``,
``-timeout``, ``-rss_limit_mb``, ...). New interesting inputs go to ``/tmp/glassnet-fuzz/work``,
failing ones to ``/tmp/glassnet-fuzz/crashes``; a failure found and fixed is copied into
``tests/fuzz/corpus/<target>/``, which ``tests/fuzz/test_fuzz_corpus.py`` replays in seconds
(without atheris) on every test run. A failure found but not yet fixed waits in
``tests/fuzz/pending/<target>/`` (replayed as an expected failure until it is fixed and moved). Replay by hand::

    PYTHONPATH=src python tools/fuzz_loaders.py --replay tests/fuzz/corpus

The contract every target checks: for any bytes at all, the loader either returns a result or
raises its documented error type (``SerializationError``, ``IDXError``, ``ValueError``; for
``glassnet predict`` exit status 1 and one line ``glassnet: error: ...``), naming the file, on
one line. Anything else is a failure: another exception type (a deep traceback), a hang
(libFuzzer's ``-timeout``, 10 s here) or a huge allocation (the address space is capped at
4 GiB while fuzzing, so one surfaces as a MemoryError).

Targets:
  load        the bytes as a file, to glassnet.load and read_manifest;
  load_parts  the bytes as a manifest and .npy members (split at ``|||``), zipped with
              correct checksums so that the fuzzer reaches the checks behind the CRCs;
  idx         the bytes as an IDX file (raw or gzipped) to read_idx;
  npy         the bytes as a .npy file to glassnet.npz_reading.read_npy_file (the safe reader
              for a standalone .npy, meant for `glassnet predict`'s .npy INPUT);
  csv         the first byte picks header= and the delimiter, the rest is the CSV file;
  predict     the first byte picks .csv or .npy, the rest is the INPUT of
              ``glassnet predict RUN INPUT`` (run in-process on a tiny trained run); set
              GLASSNET_FUZZ_PREDICT_SUFFIX=.csv to fuzz only one kind of input.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

WORK = Path(tempfile.gettempdir()) / "glassnet-fuzz"
SCRATCH: list[Path] = []  # the folder for inputs written as files (set it, or one is made)


class FuzzFailure(AssertionError):
    """The loader broke its contract on this input (the message says how)."""


def _one_line(error: BaseException, name: str) -> None:
    text = str(error)
    if "\n" in text:
        raise FuzzFailure(f"{type(error).__name__} message spans lines: {text[:300]!r}")
    if name not in text:
        raise FuzzFailure(f"{type(error).__name__} message does not name {name}: {text[:300]!r}")


def _scratch() -> Path:
    if not SCRATCH:
        SCRATCH.append(Path(tempfile.mkdtemp(prefix="glassnet-fuzz-")))
    return SCRATCH[0]


def _scratch_file(data: bytes, name: str) -> Path:
    path = _scratch() / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------- the targets


def check_load(data: bytes) -> None:
    from glassnet.serialization import SerializationError, load, read_manifest

    for read in (load, read_manifest):
        try:
            read(io.BytesIO(data))
        except SerializationError as e:
            _one_line(e, "<BytesIO>")


def zip_parts(data: bytes) -> bytes:
    """``flags, manifest|||member0|||member1...`` -> a zip archive with correct checksums."""
    flags, body = (data[0], data[1:]) if data else (0, b"")
    parts = body.split(b"|||")
    method = zipfile.ZIP_DEFLATED if flags & 1 else zipfile.ZIP_STORED
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method) as zf:
        zf.writestr("__manifest__.json", parts[0])
        for i, member in enumerate(parts[1:]):
            zf.writestr(f"a{i}.npy" if not flags & 2 else f"a{i + 1}.npy", member)
    return out.getvalue()


def check_load_parts(data: bytes) -> None:
    check_load(zip_parts(data))


def check_idx(data: bytes) -> None:
    from glassnet.data.mnist import IDXError, read_idx

    path = _scratch_file(data, "fuzz-idx3-ubyte")
    try:
        read_idx(path)
    except IDXError as e:
        _one_line(e, str(path))


def check_npy(data: bytes) -> None:
    from glassnet.npz_reading import read_npy_file

    path = _scratch_file(data, "fuzz.npy")
    try:
        read_npy_file(path)
    except ValueError as e:  # ArchiveError
        _one_line(e, str(path))


_DELIMITERS = ",;\t|"


def check_csv(data: bytes) -> None:
    from glassnet.data import load_csv

    flags, body = (data[0], data[1:]) if data else (0, b"")
    path = _scratch_file(body, "fuzz.csv")
    try:
        load_csv(path, header=not flags & 1, delimiter=_DELIMITERS[(flags >> 1) % 4])
    except ValueError as e:
        _one_line(e, str(path))


_RUN: list[str] = []


def _trained_run() -> str:
    """A tiny run folder, trained once per process (xor, one epoch)."""
    if not _RUN:
        from glassnet.cli import main

        folder = str(_scratch() / "run")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = main(["train", "--data", "xor", "--epochs", "1", "--out", folder, "-q"])
        if code != 0:
            raise RuntimeError("could not train the run folder the predict target needs")
        _RUN.append(folder)
    return _RUN[0]


def check_predict(data: bytes) -> None:
    from glassnet.cli import main

    run = _trained_run()
    flags, body = (data[0], data[1:]) if data else (0, b"")
    suffix = os.environ.get("GLASSNET_FUZZ_PREDICT_SUFFIX") or (".npy" if flags & 1 else ".csv")
    path = _scratch_file(body, "input" + suffix)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["predict", run, str(path)])
    if code == 0:
        return
    lines = err.getvalue().splitlines()
    if code != 1 or len(lines) != 1 or not lines[0].startswith("glassnet: error: "):
        raise FuzzFailure(f"predict exited {code} with stderr {err.getvalue()[:300]!r}")


TARGETS: dict[str, Callable[[bytes], None]] = {
    "load": check_load,
    "load_parts": check_load_parts,
    "idx": check_idx,
    "npy": check_npy,
    "csv": check_csv,
    "predict": check_predict,
}


# ------------------------------------------------------------------------------------- replaying


def replay(corpus: str | os.PathLike[str]) -> list[str]:
    """Run every file of ``corpus/<target>/`` through its target; return the failures."""
    failures = []
    for target_dir in sorted(Path(corpus).iterdir()):
        if target_dir.name not in TARGETS:
            continue
        for path in sorted(target_dir.iterdir()):
            try:
                TARGETS[target_dir.name](path.read_bytes())
            except Exception as e:  # noqa: BLE001 - every way of breaking the contract counts
                failures.append(f"{target_dir.name}/{path.name}: {type(e).__name__}: {e}")
    return failures


# -------------------------------------------------------------------------------------- fuzzing


def _limit_memory(gib: int = 4) -> None:
    """Cap the address space so that a huge allocation fails as MemoryError (a finding)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return
    limit = gib * 2**30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _fuzz(target: str, libfuzzer_args: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["glassnet"]):
        import glassnet.cli  # noqa: F401 - instrument every loader before fuzzing
        import glassnet.data.csv  # noqa: F401
        import glassnet.data.mnist  # noqa: F401
        import glassnet.serialization  # noqa: F401
    check = TARGETS[target]
    if target == "predict":
        _trained_run()
    _limit_memory()

    def one_input(data: bytes) -> None:
        check(data)

    work = WORK / "work" / target
    crashes = WORK / "crashes" / target
    work.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    seeds = Path(__file__).resolve().parent.parent / "tests" / "fuzz" / "corpus" / target
    argv = [sys.argv[0], f"-artifact_prefix={crashes}/", "-timeout=10", "-rss_limit_mb=4096"]
    argv += libfuzzer_args + [str(work)] + ([str(seeds)] if seeds.is_dir() else [])
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "--replay":
        failures = replay(argv[1])
        print("\n".join(failures) or "every input kept its contract")
        return 1 if failures else 0
    if not argv or argv[0] not in [*TARGETS, "all"]:
        print(__doc__)
        return 2
    if argv[0] == "all":  # each target in its own process: libFuzzer runs one target per process
        import subprocess

        for target in TARGETS:
            subprocess.run([sys.executable, __file__, target, *argv[1:]], check=False)
        return 0
    _fuzz(argv[0], argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
