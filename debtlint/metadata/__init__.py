"""Project metadata read (never executed) by debtlint: CODEOWNERS, DVC pipelines, Kedro catalogs.

Every loader reports malformed input as problems with file and line instead of raising, so a
broken metadata file degrades one finding rather than the whole run.
"""
