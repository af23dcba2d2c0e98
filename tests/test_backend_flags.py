"""torch.backends.* flags (cuda, cpu, mkldnn, openmp, opt_einsum) and torch.nn.attention's
SDPBackend / sdpa_kernel: set, read and restored as in torch 2.13."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet.backends import cpu, cuda, mkldnn, openmp, opt_einsum
from glassnet.nn.attention import SDPBackend, sdpa_kernel

try:
    import torch
except ImportError:
    torch = None


def _switches():
    return (cuda.flash_sdp_enabled(), cuda.mem_efficient_sdp_enabled(), cuda.math_sdp_enabled(),
            cuda.cudnn_sdp_enabled())  # fmt: skip


def test_sdpa_kernel_enables_only_the_chosen_and_restores_after_an_error():
    before = _switches()
    with sdpa_kernel(SDPBackend.MATH):
        assert _switches() == (False, False, True, False)
    with pytest.raises(KeyError), sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
        assert _switches() == (True, False, False, False)
        raise KeyError("the block fails")
    assert _switches() == before
    with pytest.raises(TypeError, match="expected SDPBackend members"):
        with sdpa_kernel(["math"]):
            pass


def test_attention_gives_the_same_numbers_under_every_kernel_choice():
    q, k, v = (gn.randn(2, 2, 5, 4) for _ in range(3))
    plain = F.scaled_dot_product_attention(q, k, v).numpy()
    for backend in (SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION):
        with sdpa_kernel(backend):
            np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v).numpy(), plain)


def test_the_older_switches_and_flags():
    cuda.enable_flash_sdp(False)
    try:
        assert not cuda.flash_sdp_enabled()
        with cuda.sdp_kernel(enable_flash=True, enable_math=False):
            assert cuda.flash_sdp_enabled() and not cuda.math_sdp_enabled()
        assert not cuda.flash_sdp_enabled() and cuda.math_sdp_enabled()
    finally:
        cuda.enable_flash_sdp(True)
    with pytest.raises(TypeError, match="expected True or False"):
        cuda.enable_math_sdp("yes")
    cuda.matmul.allow_tf32 = True
    assert cuda.matmul.allow_tf32 and not cuda.is_built()
    cuda.matmul.allow_tf32 = False
    assert not mkldnn.is_available() and not openmp.is_available()
    assert opt_einsum.strategy == "auto" and isinstance(opt_einsum.is_available(), bool)
    with pytest.raises(ValueError, match="preferred_linalg_library"):
        cuda.preferred_linalg_library("lapack")


@pytest.mark.skipif(torch is None, reason="torch is not installed")
def test_values_agree_with_torch():
    assert cpu.get_cpu_capability() == torch.backends.cpu.get_cpu_capability()
    assert [int(b) for b in SDPBackend] == [int(getattr(torch.nn.attention.SDPBackend, b.name))
                                            for b in SDPBackend]  # fmt: skip
    assert _switches() == (torch.backends.cuda.flash_sdp_enabled(),
                           torch.backends.cuda.mem_efficient_sdp_enabled(),
                           torch.backends.cuda.math_sdp_enabled(),
                           torch.backends.cuda.cudnn_sdp_enabled())  # fmt: skip
    assert cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
