"""torch.hub (local hubconf.py, the cache folder, refusals of the network) and torch.compiler."""

import importlib

import pytest

import glassnet as gn
from glassnet import torch_compiler, torch_hub

HUBCONF = '''
import glassnet
from helper_width import WIDTH

dependencies = ["glassnet"]


def tiny_mlp(hidden=WIDTH):
    """Two linear layers."""
    return glassnet.nn.Sequential(glassnet.nn.Linear(4, hidden), glassnet.nn.Linear(hidden, 2))


def _private():
    pass
'''


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "hubconf.py").write_text(HUBCONF)
    (tmp_path / "helper_width.py").write_text("WIDTH = 6\n")
    return tmp_path


def test_a_local_hubconf_lists_documents_and_builds(repo):
    assert torch_hub.list(str(repo), source="local") == ["tiny_mlp"]
    assert torch_hub.help(str(repo), "tiny_mlp", source="local") == "Two linear layers."
    model = gn.hub.load(str(repo), "tiny_mlp", source="local", hidden=3)
    assert model[0].weight.shape == (3, 4)
    assert gn.hub.load(str(repo), "tiny_mlp", source="local")[0].weight.shape == (6, 4)
    with pytest.raises(RuntimeError, match="no entrypoint '_private'; it has \\['tiny_mlp'\\]"):
        gn.hub.load(str(repo), "_private", source="local")


def test_a_cached_github_repository_loads_without_the_network(repo, tmp_path_factory):
    cache = tmp_path_factory.mktemp("hub")
    torch_hub.set_dir(str(cache))
    try:
        (cache / "someone_models_main").symlink_to(repo, target_is_directory=True)
        assert gn.hub.load("someone/models", "tiny_mlp", hidden=2)[0].weight.shape == (2, 4)
        with pytest.raises(RuntimeError, match="glassnet downloads nothing"):
            gn.hub.load("someone/other", "tiny_mlp")
    finally:
        torch_hub._hub_dir = None


def test_weights_come_from_the_checkpoints_folder(tmp_path):
    state = {"w": gn.arange(3.0)}
    gn.save(state, str(tmp_path / "weights-abc.pth"))
    loaded = gn.hub.load_state_dict_from_url(
        "https://example.org/models/weights-abc.pth", model_dir=str(tmp_path)
    )
    assert loaded["w"].tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(RuntimeError, match="missing.pth is not in"):
        gn.hub.load_state_dict_from_url("https://example.org/missing.pth", model_dir=str(tmp_path))
    with pytest.raises(RuntimeError, match="downloads nothing"):
        torch_hub.download_url_to_file("https://example.org/x", str(tmp_path / "x"))
    with pytest.raises(ValueError, match="expected source 'github' or 'local', got 'ftp'"):
        gn.hub.load("a/b", "m", source="ftp")


def test_get_dir_follows_torch_home(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    assert torch_hub.get_dir() == str(tmp_path / "hub")


def test_compiler_questions_and_decorators_match_torch():
    torch = pytest.importorskip("torch")
    assert torch_compiler.is_compiling() == torch.compiler.is_compiling()
    assert torch_compiler.is_dynamo_compiling() == torch.compiler.is_dynamo_compiling()

    @gn.compiler.disable
    def double(x):
        return x * 2

    @gn.compiler.disable(recursive=False)
    def triple(x):
        return x * 3

    assert double(gn.ones(2)).tolist() == [2.0, 2.0] and triple(gn.ones(1)).tolist() == [3.0]
    with gn.compiler.set_stance("force_eager"):
        assert double(gn.ones(1)).tolist() == [2.0]
    assert gn.compiler.assume_constant_result(len) is len
    assert "eager" in gn.compiler.list_backends()
    assert gn.distributed is importlib.import_module("glassnet.distributed")  # no import first


def test_version_strings_compare_as_versions_and_the_alias_shows_the_torch_api():
    from glassnet import torch_alias, version

    v = version.VersionString("2.13.0+glassnet.0.1.0")
    assert v >= "2.9" and v > (2, 12) and v < "10.0" and v == (2, 13) and v != (2, 12)
    assert v == "2.13.0+glassnet.0.1.0" and v.split("+")[0] == "2.13.0"
    with pytest.raises(TypeError, match="expected a version such as"):
        _ = v < "nightly"
    plain = gn.__version__
    with torch_alias.aliased_torch():
        import torch

        assert torch.__version__.startswith(version.TORCH_API_VERSION + "+glassnet.")
        assert torch.__version__ >= "2.0"
    assert gn.__version__ == plain and gn.__version__ >= (0, 1)
