"""``python -m entityresolution_jobs.cli``: the same as the ``er-jobs`` script."""

from __future__ import annotations

from ._app import main

main()
