"""The `glassnet` command run in the test process, for the CLI tests: ``run(capsys, *argv)``."""

from glassnet.cli import main


def run(capsys, *argv):
    """(exit code, stdout, stderr) of `glassnet *argv` in this process."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
