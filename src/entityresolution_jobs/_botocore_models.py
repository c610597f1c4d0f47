"""Which botocore first models each Entity Resolution member newer than our botocore floor.

botocore's parser keeps only the reply members its model has, and its
serializer refuses parameters the model lacks. So on an older botocore (the
one an Amazon MWAA environment pins, say) a newer member reads as ``None``
in our models, and sending one fails. This table says, for each member the
library reads or sends that the floor's model (botocore 1.35.7) lacks, the
first botocore that has it; `tests/test_botocore_models.py` checks it
against the botocore it runs on, so ``make test-lowest`` checks it on the
floor itself.
"""

from __future__ import annotations

import botocore

BOTOCORE_FLOOR = "1.35.7"
"""The oldest botocore this package supports (its declared floor)."""

_ID_MAPPING_COUNTS_OF_1_40_37 = (
    "deleteRecordsProcessed",
    "newMappedRecords",
    "newMappedSourceRecords",
    "newMappedTargetRecords",
    "newUniqueRecordsLoaded",
    "mappedRecordsRemoved",
    "mappedSourceRecordsRemoved",
    "mappedTargetRecordsRemoved",
)

MEMBERS_ADDED_IN: dict[tuple[str, str], str] = {
    ("IdMappingJobMetrics", "uniqueRecordsLoaded"): "1.37.34",
    **{("IdMappingJobMetrics", name): "1.40.37" for name in _ID_MAPPING_COUNTS_OF_1_40_37},
    ("JobMetrics", "deleteRecordsProcessed"): "1.40.37",
    ("GetIdMappingJobOutput", "jobType"): "1.40.37",
    ("StartIdMappingJobInput", "jobType"): "1.40.37",
    ("StartIdMappingJobOutput", "jobType"): "1.40.37",
}
"""``(shape, member)``: the first botocore whose Entity Resolution model has it."""


def botocore_version() -> str:
    """The version of the botocore this process imported."""
    return botocore.__version__


def unmodelled_message(shape: str, member: str, argument: str) -> str:
    """Why ``argument`` cannot be sent: this botocore's model has no ``member`` in ``shape``."""
    have = (
        f"botocore {botocore_version()}, whose Entity Resolution model has no {member} in {shape}"
    )
    needed = MEMBERS_ADDED_IN.get((shape, member))
    if needed is None:
        return f"{argument} cannot be sent with {have}"
    return f"{argument} needs botocore >= {needed} ({have}); upgrade botocore to send it"
