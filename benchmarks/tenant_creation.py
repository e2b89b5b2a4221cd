"""Fresh-tenant cost for the pytest plugin: what the `ragflow` fixture does per test (target: < 1 ms).

Measures, on one session-shared app: creating a tenant + API key and dropping it again (fixture setup and
teardown, as `mockserver.pytest_plugin.new_tenant` / `RagflowMock.close` do), then the same plus one
in-process request. Prints median and p95 in milliseconds.

Run: `python benchmarks/tenant_creation.py [--n 2000]`.
"""

from __future__ import annotations

import argparse
import statistics
import time

from mockserver import Settings, create_app
from mockserver.pytest_plugin import LazyServer, new_tenant


def _measure(n: int, body: object) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        body()  # type: ignore[operator]
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"{label:44} median {statistics.median(samples):7.3f} ms   p95 {p95:7.3f} ms   (n={len(samples)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    app = create_app(Settings.for_tests(api_keys=()))
    server = LazyServer(app)  # never started: only `base_url` starts it

    def create_and_drop() -> None:
        new_tenant(app, server).close()

    def create_only() -> None:
        new_tenant(app, server)

    def create_request_drop() -> None:
        mock = new_tenant(app, server)
        mock.client.get("/api/v1/datasets")
        mock.close()

    _measure(50, create_and_drop)  # warm-up
    _report("fresh tenant + key, then teardown", _measure(args.n, create_and_drop))
    _report("fresh tenant, one in-process request, teardown", _measure(max(50, args.n // 10), create_request_drop))
    _report("fresh tenant + key (setup only, tenants pile up)", _measure(args.n, create_only))


if __name__ == "__main__":
    main()
