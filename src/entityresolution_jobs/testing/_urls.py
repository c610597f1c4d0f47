"""Entity Resolution base URLs and paths, as in one of moto's ``urls.py``.

moto finds this module from the backend's (``_models`` -> ``_urls``).
"""

from __future__ import annotations

from ._responses import EntityResolutionResponse

url_bases = [r"https?://entityresolution\.(.+)\.amazonaws\.com"]

url_paths = {
    "{0}/matchingworkflows$": EntityResolutionResponse.dispatch,
    "{0}/matchingworkflows/(?P<workflowName>[^/]+)$": EntityResolutionResponse.dispatch,
    "{0}/matchingworkflows/(?P<workflowName>[^/]+)/jobs$": EntityResolutionResponse.dispatch,
    "{0}/matchingworkflows/(?P<workflowName>[^/]+)/jobs/(?P<jobId>[^/]+)$": (
        EntityResolutionResponse.dispatch
    ),
}
