"""debtlint: an ML technical-debt and maintainability linter.

The public API for rule authors lives in :mod:`debtlint.api`.
"""

__version__ = "0.1.0"
