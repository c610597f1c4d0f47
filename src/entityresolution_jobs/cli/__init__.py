"""er-jobs: check, start and wait on AWS Entity Resolution jobs from a shell.

A thin shell over the library's public API (``pip install
'entityresolution-jobs[cli]'``): the top-level commands are for matching
jobs, ``er-jobs id-mapping ...`` the same for ID mapping jobs. Exit codes:

    0  succeeded / ok
    1  the job FAILED
    2  usage error or invalid input
    3  the wait timed out
    4  workflow or job not found
    5  access denied, or no credentials
    6  throttled, service or network error (after retries)

Modules: `_app` builds the command tree and runs it; `_lazy` the groups
that build a command only when it is used; `_common` holds the options,
settings and exit codes every command shares; `_jobs` the commands of one
job kind; `_output` the ``output`` command; `_render` how jobs are shown;
`_formats` the ``--output``/``--query`` formats; `_demo` the demo;
`_fake_server` the fake service; `_debug` the ``--debug`` logging.
"""

from __future__ import annotations

from ._app import app, main, run

__all__ = ["app", "main", "run"]
