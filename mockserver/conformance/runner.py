"""The conformance run: the links walk and streams, then examples and generated cases per operation; cleanup always."""

from __future__ import annotations

import time

from mockserver.conformance.contract import OperationContract
from mockserver.conformance.generation import GenerationError, generate
from mockserver.conformance.results import OperationResult, RunReport
from mockserver.conformance.session import Credentials, RunOptions, RunSession, default_spec
from mockserver.conformance.stateful import LinkWalker

__all__ = ["ROUTE_MISSING", "Credentials", "RunOptions", "Runner", "default_spec"]

ROUTE_MISSING = ("<NotFound '404: Not Found'>", "<MethodNotAllowed '405: Method Not Allowed'>")
"""What a real server (Flask) answers for a route it does not have: the operation is not implemented there."""


class Runner(RunSession):
    """Runs the checks of one contract against one target and collects a `RunReport`."""

    def run_operation(self, op: OperationContract) -> OperationResult:
        """Examples, then positive and negative cases (half of them on existing resources)."""
        started = time.perf_counter()
        result = self.result(op)
        reason = self.guard.skip_reason(op)
        if reason is None and self.credentials.headers_for(op.security) is None:
            reason = f"no credential for {op.security} (see --beta-token / --login-token)"
        if reason is not None:
            result.skipped = reason
            return result
        budget = self.options.max_examples
        seed = self.options.seed
        operation = self.schemathesis_operation(op)
        pinned = self.pinned(op) if op.path_parameters else None
        batches: list[tuple[str, int, dict[str, str] | None]] = [("example", budget, pinned)]
        for kind in ("positive", "negative"):
            if pinned:
                batches += [(kind, budget - budget // 2, pinned), (kind, budget // 2, None)]
            else:
                batches.append((kind, budget, None))
        for kind, count, path in batches:
            try:
                cases = generate(operation, kind, count, seed=seed, path_parameters=path)
            except GenerationError as exc:
                result.notes.append(f"{kind}: {exc}")
                continue
            for generated in cases:
                ex = self.send(op, generated)
                if result.not_implemented is not None or ex is None:
                    break
                if ex.envelope and ex.envelope.get("message") in ROUTE_MISSING and path is not None:
                    result.not_implemented = str(ex.envelope["message"])
                    break
            if result.not_implemented is not None:
                break
        result.failures = dict(sorted(result.failures.items()))
        result.apply_deviations(self.deviations)
        result.seconds += time.perf_counter() - started
        return result

    def selected(self) -> list[OperationContract]:
        """Operations in running order, filtered by `--operations`."""
        return [op for op in self.contract.ordered() if self.options.selects(op.operation_id)]

    def run(self) -> RunReport:
        """The whole run; cleanup happens even when something fails midway."""
        report = RunReport(
            target=self.target.base_url if self.target.live else "in-process emulator",
            prefix=self.guard.prefix,
            read_only=self.options.read_only,
            max_examples=self.options.max_examples,
            fail_on_not_implemented=self.options.fail_on_not_implemented,
        )
        started = time.perf_counter()
        operations = self.selected()
        try:
            if self.options.stateful and not self.options.read_only:
                self.progress("stateful: following links from the create operations")
                self.on_phase("stateful links", None)
                walker = LinkWalker(self)
                walker.walk()
                self.progress("streams: every SSE operation once with stream=true")
                self.on_phase("streams", None)
                walker.streams()
            self.on_phase("operations", len(operations))
            for index, op in enumerate(operations, 1):
                result = self.run_operation(op)
                detail = result.not_implemented or result.skipped or ", ".join(sorted(result.failures)) or ""
                self.progress(
                    f"[{index:>2}/{len(operations)}] {op.operation_id:<34} {result.status:<26}"
                    f" {result.cases:>4} cases  {detail[:70]}"
                )
        finally:
            report.notes.extend(self.guard.cleanup(self.call))
        report.results = [self.results[op.operation_id] for op in operations if op.operation_id in self.results]
        for result in report.results:
            result.apply_deviations(self.deviations)
        report.seconds = time.perf_counter() - started
        return report
