"""Suppression comments that are findings themselves."""

RETRIES = 3  # debtlint: ignore
TIMEOUT = 10  # debtlint: ignore[DL21] typo for DL201
