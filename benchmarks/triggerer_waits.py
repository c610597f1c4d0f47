"""100 deferred waits in one triggerer-style event loop: memory and requests per second.

Airflow's triggerer runs every deferred task's trigger as an asyncio task
in one event loop, rebuilt from ``serialize()``. This runs N
`EntityResolutionJobTrigger` waits that way (N = 1 and 100), each on a
job of its own workflow in the fake service served over HTTP on
127.0.0.1, two ways:

- one client per trigger: each trigger builds its own aiobotocore client
  through the hook (the adapter before triggers shared clients);
- shared: the adapter as it is, one client per connection in the event
  loop, with one request budget.

Each way and N runs in a fresh child process (resident memory never
shrinks back, so runs must not share one); the fake service runs in this
process. Reported: the child's peak resident memory while the triggers
wait, over its resident memory after imports (MiB); the HTTP requests it
sent (retries included), and the most it sent in any one-second window
(counted where they leave: on arrival, a connection's first requests come
late enough to blur the window). The target: 100 waits within 50 MiB of one.

Needs the airflow extra: make bench-airflow
(or: .venv-airflow-newest/bin/python benchmarks/triggerer_waits.py)
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

REGION = "us-east-1"
WAYS = ("one client per trigger", "shared")
COUNTS = (1, 100)
QUEUED, RUNNING = 2.0, 8.0  # seconds each job stays QUEUED, then RUNNING


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def child(way: str, jobs: list[list[str]]) -> None:
    """Run one trigger per job in one event loop; print the memory figures as JSON."""
    from aiobotocore.endpoint import AioEndpoint

    from entityresolution_jobs.airflow import EntityResolutionJobTrigger
    from entityresolution_jobs.airflow import _triggers as triggers

    if way == WAYS[0]:  # the adapter before sharing: a client of each trigger's own

        @asynccontextmanager
        async def own_client(_: object, hook: Any) -> AsyncIterator[Any]:
            async with hook().async_jobs() as client:
                yield client

        triggers.shared_jobs = own_client  # type: ignore[assignment]

    def rebuilt(workflow: str, job_id: str) -> EntityResolutionJobTrigger:
        _, kwargs = EntityResolutionJobTrigger(
            job_kind="matching", workflow_name=workflow, job_id=job_id, timeout=600
        ).serialize()  # what the triggerer stores and builds the trigger from
        return EntityResolutionJobTrigger(**kwargs)

    sent: list[float] = []  # when each HTTP request left, retries included
    send = AioEndpoint._send

    async def recording(self: AioEndpoint, request: object) -> object:
        sent.append(time.monotonic())
        return await send(self, request)

    AioEndpoint._send = recording  # type: ignore[method-assign]
    waits = [rebuilt(workflow, job_id) for workflow, job_id in jobs]
    before = _rss_mib()
    peak = before

    async def run(trigger: EntityResolutionJobTrigger) -> str:
        events = [event async for event in trigger.run()]
        return str(events[-1].payload["status"])

    async def sample(done: asyncio.Event) -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss_mib())
            await asyncio.sleep(0.05)

    async def main() -> list[str]:
        done = asyncio.Event()
        sampler = asyncio.create_task(sample(done))
        statuses = await asyncio.gather(*(run(trigger) for trigger in waits))
        done.set()
        await sampler
        return list(statuses)

    statuses = asyncio.run(main())
    assert statuses == ["success"] * len(jobs), statuses
    worst = max(sum(1 for t in sent if start <= t < start + 1) for start in sent)
    print(json.dumps({"before": before, "peak": peak, "sent": len(sent), "worst": worst}))


def parent() -> None:
    from moto.server import ThreadedMotoServer

    from entityresolution_jobs import EntityResolutionJobs
    from entityresolution_jobs.testing import EntityResolutionMock, JobTimeline

    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    fake = EntityResolutionMock(region_name=REGION)
    fake.timeline = JobTimeline(queued_seconds=QUEUED, running_seconds=RUNNING)
    fake.concurrent_jobs = None  # 100 jobs run at once, as 100 accounts' would
    client = EntityResolutionJobs(endpoint_url=url, region_name=REGION)
    connection = {
        "conn_type": "aws",
        "login": "testing",
        "password": "testing",
        "extra": {"region_name": REGION, "endpoint_url": url},
    }
    home = tempfile.mkdtemp(prefix="airflow-home-")
    env = {
        **os.environ,
        "AIRFLOW_HOME": home,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(connection),
    }
    rows = []
    try:
        for way in WAYS:
            for count in COUNTS:
                jobs = []
                for number in range(count):
                    workflow = f"w{len(rows)}-{number}"
                    fake.create_workflow(workflow)
                    jobs.append([workflow, client.start_matching_job(workflow)])
                out = subprocess.run(
                    [sys.executable, __file__, "--child", way, json.dumps(jobs)],
                    env=env, capture_output=True, text=True, check=True,
                )  # fmt: skip
                run = json.loads(out.stdout.strip().splitlines()[-1])
                rows.append((way, count, run["peak"] - run["before"], run["sent"], run["worst"]))
    finally:
        server.stop()
    print(f"{'way':<24}{'waits':>6}{'memory growth':>15}{'requests':>10}{'worst second':>14}")
    for way, count, growth, total, worst in rows:
        print(f"{way:<24}{count:>6}{growth:>11.1f} MiB{total:>10}{worst:>14}")
    for way in WAYS:
        one, hundred = (growth for w, _, growth, _, _ in rows if w == way)
        print(f"{way}: 100 waits cost {hundred - one:.1f} MiB more than one (target: within 50)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], json.loads(sys.argv[3]))
    else:
        parent()
