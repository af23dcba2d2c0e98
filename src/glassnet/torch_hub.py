"""PyTorch's ``torch.hub``: models from a folder's ``hubconf.py`` and weights from the hub's cache folder. glassnet never downloads, so anything that would need the network is refused in one line.

``torch.hub.load(repo_or_dir, name, *args, source=..., **kwargs)`` finds ``hubconf.py`` in
a repository and calls its function ``name(*args, **kwargs)``, which builds the model.
PyTorch fetches a GitHub repository for that. Here ``source="local"`` (a folder that holds
``hubconf.py``) works, and so does a GitHub repository that is already in the cache folder
(``get_dir()/owner_name_ref``). ``load_state_dict_from_url(url)`` works in the same way: it
reads a file that is already in ``get_dir()/checkpoints``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

__all__ = ["download_url_to_file", "get_dir", "help", "list", "load", "load_state_dict_from_url",
           "set_dir"]  # fmt: skip

_hub_dir: str | None = None


def get_dir() -> str:
    """The hub's cache folder: ``set_dir``'s, else ``$TORCH_HOME/hub``, else
    ``$XDG_CACHE_HOME/torch/hub`` (``~/.cache/torch/hub``), as PyTorch chooses it."""
    if _hub_dir is not None:
        return _hub_dir
    torch_home = os.environ.get("TORCH_HOME")
    if torch_home is None:
        cache = os.environ.get("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache"))
        torch_home = os.path.join(cache, "torch")
    return os.path.join(os.path.expanduser(torch_home), "hub")


def set_dir(d: str | os.PathLike[str]) -> None:
    """Use ``d`` as the hub's cache folder from now on."""
    global _hub_dir
    _hub_dir = os.path.expanduser(os.fspath(d))


def _no_network(what: str, hint: str) -> RuntimeError:
    return RuntimeError(f"{what}: glassnet downloads nothing, and this needs the network; {hint}")


def _repository_folder(repo_or_dir: str, source: str, caller: str) -> str:
    """The folder holding the ``hubconf.py`` of ``repo_or_dir``."""
    if source not in ("github", "local"):
        raise ValueError(f"{caller}: expected source 'github' or 'local', got {source!r}")
    if source == "local":
        folder = os.path.expanduser(os.fspath(repo_or_dir))
    else:  # "owner/name[:ref]", as the cache folder names it (PyTorch's default ref: main)
        owner_name, _, ref = str(repo_or_dir).partition(":")
        if owner_name.count("/") != 1:
            raise ValueError(
                f"{caller}: expected a GitHub repository as 'owner/name[:ref]', got {repo_or_dir!r}"
            )
        folder = os.path.join(get_dir(), f"{owner_name.replace('/', '_')}_{ref or 'main'}")
        if not os.path.isdir(folder):
            raise _no_network(
                f"{caller}({repo_or_dir!r})",
                f"it is not in the hub's cache folder ({folder}). Pass source='local' with a "
                "folder holding hubconf.py, or build the model yourself",
            )
    if not os.path.isfile(os.path.join(folder, "hubconf.py")):
        raise FileNotFoundError(f"{caller}: no hubconf.py in {folder}")
    return folder


def _hubconf(folder: str) -> ModuleType:
    """Import ``folder/hubconf.py``, with the folder on ``sys.path`` while its imports run."""
    spec = importlib.util.spec_from_file_location("hubconf", os.path.join(folder, "hubconf.py"))
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(folder)
    return module


def _entrypoint(module: ModuleType, model: str, caller: str) -> Callable:
    function = getattr(module, model, None)
    if not callable(function) or model.startswith("_"):
        raise RuntimeError(
            f"{caller}: hubconf.py has no entrypoint {model!r}; it has {_entrypoints(module)}"
        )
    return function


def _entrypoints(module: ModuleType) -> list[str]:
    return [n for n, f in vars(module).items() if callable(f) and not n.startswith("_")
            and not isinstance(f, type) and getattr(f, "__module__", None) == "hubconf"]  # fmt: skip


def list(  # noqa: A001 - PyTorch's name
    repo_or_dir: str, force_reload: bool = False, skip_validation: bool = False,
    trust_repo: Any = None, verbose: bool = True, source: str = "github",
) -> list[str]:  # fmt: skip
    """The entrypoints (model-building functions) the repository's ``hubconf.py`` offers."""
    return _entrypoints(_hubconf(_repository_folder(repo_or_dir, source, "hub.list")))


def help(  # noqa: A001 - PyTorch's name
    repo_or_dir: str, model: str, force_reload: bool = False, skip_validation: bool = False,
    trust_repo: Any = None, source: str = "github",
) -> str:  # fmt: skip
    """The docstring of entrypoint ``model``."""
    module = _hubconf(_repository_folder(repo_or_dir, source, "hub.help"))
    return _entrypoint(module, model, "hub.help").__doc__ or ""


def load(
    repo_or_dir: str, model: str, *args: Any, source: str = "github", trust_repo: Any = None,
    force_reload: bool = False, verbose: bool = True, skip_validation: bool = False,
    **kwargs: Any,
) -> Any:  # fmt: skip
    """Call entrypoint ``model(*args, **kwargs)`` of the repository's ``hubconf.py``: usually
    it builds a model (and loads its weights, which must then be in the cache folder)."""
    module = _hubconf(_repository_folder(repo_or_dir, source, "hub.load"))
    return _entrypoint(module, model, "hub.load")(*args, **kwargs)


def load_state_dict_from_url(
    url: str, model_dir: str | None = None, map_location: Any = None, progress: bool = True,
    check_hash: bool = False, file_name: str | None = None, weights_only: bool = False,
) -> Any:  # fmt: skip
    """Load the object saved in the file ``url`` names, from the cache folder
    (``model_dir``, by default ``get_dir()/checkpoints``), where it must already be."""
    from .serialization import load as load_file

    folder = model_dir if model_dir is not None else os.path.join(get_dir(), "checkpoints")
    name = file_name or os.path.basename(urlparse(url).path)
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        raise _no_network(
            f"load_state_dict_from_url({url!r})",
            f"{name} is not in {folder}. Put the file there, or load a file you have with "
            "glassnet.load(path)",
        )
    return load_file(path, map_location=map_location, weights_only=weights_only)


def download_url_to_file(url: str, dst: str, hash_prefix: str | None = None,
                         progress: bool = True) -> None:  # fmt: skip
    """Refused: glassnet downloads nothing."""
    raise _no_network(f"download_url_to_file({url!r})", "fetch the file yourself")
