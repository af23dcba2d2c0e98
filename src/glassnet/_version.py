"""The version string of glassnet (one place, read by pyproject.toml and glassnet.__version__)."""

__version__ = "0.1.0"
