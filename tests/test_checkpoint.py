"""load_checkpoint with a checkpoint read already (saved=), and apply_checkpoint that forwards to it."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.checkpoint import apply_checkpoint, load_checkpoint, read_checkpoint, save_checkpoint


def _model(seed):
    gn.manual_seed(seed)
    return gn.nn.Linear(3, 2)


@pytest.mark.parametrize("how", ["load_checkpoint_saved", "apply_checkpoint"])
def test_a_checkpoint_read_already_is_not_read_again(tmp_path, how):
    model = _model(1)
    path = tmp_path / "c.npz"
    save_checkpoint(path, model=model, epoch=4)
    saved = read_checkpoint(path)
    path.unlink()  # loading must use `saved`, not the file
    other = _model(2)
    if how == "apply_checkpoint":
        info = apply_checkpoint(saved, path, model=other)
    else:
        info = load_checkpoint(path, model=other, saved=saved)
    assert info.epoch == 4 and info.path == str(path)
    for p, q in zip(model.parameters(), other.parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


def test_the_saved_checkpoint_is_checked_against_the_objects_given(tmp_path):
    path = tmp_path / "c.npz"
    save_checkpoint(path, model=_model(1))
    model = _model(2)
    with pytest.raises(ValueError, match="holds no optimizer state"):
        load_checkpoint(
            path,
            model=model,
            optimizer=gn.optim.SGD(model.parameters(), lr=0.1),
            saved=read_checkpoint(path),
        )
