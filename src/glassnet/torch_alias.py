"""The import alias behind ``glassnet run``: ``import torch`` (and ``torch.nn``, ...) gives glassnet's modules.

Nothing here re-implements PyTorch. A finder on ``sys.meta_path`` answers imports of
``torch`` and ``torch.<sub>`` with the glassnet module of the same name, so ``torch.nn`` *is*
``glassnet.nn`` and ``torch.Tensor`` *is* ``glassnet.Tensor``. Only a few names differ,
because glassnet keeps PyTorch's ``torch.utils.data`` in ``glassnet.data`` (table
``RENAMES``). A submodule glassnet lacks fails with ``MissingTorchName``: "glassnet does not
implement torch.xyz yet".

The alias is installed only while a script runs (``with aliased_torch(): ...``); any real
PyTorch modules already imported are set aside and put back afterwards.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from . import version
from .autograd import SUBMODULES as AUTOGRAD_PARTS
from .errors import MissingTorchName

__all__ = [
    "PACKAGES",
    "alias_for_good",
    "RENAMES",
    "MissingTorchName",
    "aliased_torch",
    "glassnet_name",
    "torch_name",
]

#: PyTorch module paths whose glassnet module has another name (longest prefix wins).
RENAMES: dict[str, str] = {
    "torch": "glassnet",
    "torch.utils.data": "glassnet.data",
    "torch.utils.data.dataloader": "glassnet.data.loader",
    "torch.utils.data.dataset": "glassnet.data.dataset",
    "torch.utils.data.distributed": "glassnet.data.distributed_sampler",
    "torch.utils.data.sampler": "glassnet.data.sampler",
    # torch.autograd is a package; glassnet's autograd is one module, its parts live beside it
    **{f"torch.autograd.{name}": f"glassnet.{home}" for name, home in AUTOGRAD_PARTS.items()},
    "torch.types": "glassnet.torch_types",
    "torch._dynamo": "glassnet.torch_dynamo",
    "torch.compiler": "glassnet.torch_compiler",
    "torch.hub": "glassnet.torch_hub",
    "torch.__future__": "glassnet.torch_future",
    "torch.multiprocessing": "glassnet.torch_multiprocessing",
}
#: glassnet modules that are PyTorch packages: while the alias is on they get an empty
#: ``__path__``, so that Python lets ``import torch.autograd.functional`` look for a submodule.
PACKAGES = ("glassnet.autograd",)
_BACK = {glassnet: torch for torch, glassnet in RENAMES.items()}
_BACK["glassnet.profiler"] = "torch.profiler"  # its first home; torch.autograd.profiler is older


def _rename(name: str, table: dict[str, str]) -> str:
    """Replace the longest dotted prefix of ``name`` found in ``table``."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        head = ".".join(parts[:cut])
        if head in table:
            return ".".join([table[head], *parts[cut:]])
    return name


def glassnet_name(torch_path: str) -> str:
    """``"torch.utils.data.dataloader"`` -> ``"glassnet.data.loader"``; ``"torch.nn"`` -> ``"glassnet.nn"``."""
    return _rename(torch_path, RENAMES)


def torch_name(glassnet_path: str) -> str:
    """The inverse of glassnet_name, for messages: ``"glassnet.data"`` -> ``"torch.utils.data"``."""
    return _rename(glassnet_path, _BACK)


def _is_torch(name: str) -> bool:
    return name == "torch" or name.startswith("torch.")


class _TorchAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch.X`` as the already-importable ``glassnet.X`` module and hands it over as is."""

    def __init__(self) -> None:
        self._modules: dict[str, types.ModuleType] = {}
        self._specs: dict[str, Any] = {}

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if not _is_torch(fullname):
            return None
        module = _import_glassnet(fullname)
        self._modules[fullname] = module
        return importlib.machinery.ModuleSpec(
            fullname, self, is_package=hasattr(module, "__path__")
        )

    def create_module(self, spec: Any) -> types.ModuleType:
        module = self._modules.pop(spec.name)
        self._specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        # The import system stamped the torch spec on glassnet's module; give its own back.
        # (The module was executed when glassnet imported it; nothing more to run.)
        for name, spec in list(self._specs.items()):
            if spec is not None and spec.name == module.__name__:
                module.__spec__ = spec
                del self._specs[name]


def _import_glassnet(torch_path: str) -> types.ModuleType:
    target = glassnet_name(torch_path)
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as e:
        if e.name is None or not (target == e.name or target.startswith(e.name + ".")):
            raise  # something glassnet itself imports is missing: a real error, not a gap
    # A module-like attribute (a namespace such as a submodule imported under another name).
    parent, _, child = target.rpartition(".")
    holder = sys.modules.get(parent)
    found = getattr(holder, child, None) if holder is not None else None
    if isinstance(found, types.ModuleType):
        return found
    raise MissingTorchName(torch_path)


def _switch_on() -> tuple[_TorchAliasFinder, dict, list]:
    """Put the finder first on ``sys.meta_path``, set real torch modules aside and give the
    glassnet modules in ``PACKAGES`` a ``__path__``; return what ``aliased_torch`` undoes."""
    glassnet = importlib.import_module("glassnet")
    # torch.__version__: the PyTorch release whose API glassnet follows, so that a script's
    # version checks take that release's branches; glassnet's own version rides along.
    glassnet.__version__ = version.VersionString(
        f"{version.TORCH_API_VERSION}+glassnet.{version.__version__}"
    )
    saved = {name: m for name, m in sys.modules.items() if _is_torch(name)}
    for name in saved:
        del sys.modules[name]
    finder = _TorchAliasFinder()
    sys.meta_path.insert(0, finder)
    made_packages = []
    for name in PACKAGES:
        module = importlib.import_module(name)
        if not hasattr(module, "__path__"):
            module.__path__ = []  # type: ignore[attr-defined]
            made_packages.append(module)
    return finder, saved, made_packages


def alias_for_good() -> None:
    """Turn the alias on for the rest of this process (a child a ``glassnet run`` script
    spawned: see spawned_script.py); nothing is undone at exit."""
    _switch_on()


@contextmanager
def aliased_torch() -> Iterator[None]:
    """While inside, ``import torch...`` imports glassnet; afterwards everything is as before.

    Real ``torch`` modules already in ``sys.modules`` are set aside and restored; attributes
    the import system adds to glassnet packages for renamed submodules (``glassnet.data`` gets
    ``dataloader`` when a script imports ``torch.utils.data.dataloader``) are removed again.
    """
    importlib.import_module("glassnet")
    packages = [m for name, m in sys.modules.items() if name.startswith("glassnet")]
    before = {id(m): set(vars(m)) for m in packages if isinstance(m, types.ModuleType)}
    finder, saved, made_packages = _switch_on()
    try:
        yield
    finally:
        sys.modules["glassnet"].__version__ = version.__version__
        sys.meta_path.remove(finder)
        for module in made_packages:
            del module.__path__
        for name in [name for name in sys.modules if _is_torch(name)]:
            del sys.modules[name]
        sys.modules.update(saved)
        for m in packages:
            if isinstance(m, types.ModuleType) and id(m) in before:
                for added in set(vars(m)) - before[id(m)]:
                    if isinstance(vars(m)[added], types.ModuleType) and not _own_submodule(
                        m, added
                    ):
                        delattr(m, added)


def _own_submodule(package: types.ModuleType, attribute: str) -> bool:
    """True when ``package.attribute`` is the submodule of that name (imported for real)."""
    return getattr(package, attribute).__name__ == f"{package.__name__}.{attribute}"
