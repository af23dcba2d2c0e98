"""The primitive ops, grouped by kind; importing this package registers every one of them."""

from . import api, elementwise, matmul, reduce, shape  # noqa: F401 - importing registers the ops
