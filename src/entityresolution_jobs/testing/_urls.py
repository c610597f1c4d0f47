"""Entity Resolution base URLs and paths, as in one of moto's ``urls.py``.

moto finds this module from the backend's (``_models`` -> ``_urls``).
"""

from __future__ import annotations

from ._responses import EntityResolutionResponse

url_bases = [r"https?://entityresolution\.(.+)\.amazonaws\.com"]

# An ID mapping workflow may be named by its ARN, whose "/" arrives encoded
# (%2F) from botocore but decoded in the server's path: both are matched.
_NAME = r"(?P<workflowName>.+?)"

url_paths = {
    f"{{0}}/{collection}{path}": EntityResolutionResponse.dispatch
    for collection in ("matchingworkflows", "idmappingworkflows")
    for path in ("$", f"/{_NAME}$", f"/{_NAME}/jobs$", f"/{_NAME}/jobs/(?P<jobId>[^/]+)$")
}
