"""Per-operation cost against the tenant's size: every family at 100, 10,000 and 100,000 rows, in-process.

Method: one app per family and size (CPU time of the benchmark's thread, immune to other load); the rows are written through the stores (fast seeding, the same indexes
the API writes), then each operation is sent through the whole ASGI app (routing, auth, journal, handler,
envelope; no socket) `--reps` times on fresh targets. The median of the operation's wall time is printed in
ms/op beside the ratio to the 100-row figure. Targets (issue 13): <= 1.5x for create/get/update/delete, <= 2x for
a list page, at 100k vs 100.

Run: `python benchmarks/scale.py [--quick] [--sizes 100,10000,100000] [--families datasets,chats] [--reps 40]`.
"""

from __future__ import annotations

import argparse
import base64
import gc
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from asgi_driver import Driver, multipart

from mockserver import Settings, create_app, emulator_state
from mockserver.families.agents.canvas import default_dsl
from mockserver.families.chunks.schemas import NewChunk

KEY = "ragflow-scale-key"
PASSWORD = base64.b64encode(bytes(range(256))).decode()
TARGETS = {"list": 2.0}
DEFAULT_TARGET = 1.5


@dataclass
class Op:
    """One measured operation: `run(i)` sends the i-th request (targets prepared by the family)."""

    name: str
    run: Callable[[int], Any]


class Family:
    """A family's seeding and its operations against a driver."""

    name = ""
    limit = 10**9
    """Largest size measured (accounts: each user is a whole tenant, 100k of them would not fit the machine)."""

    def __init__(self, size: int, reps: int) -> None:
        self.size, self.reps = size, reps
        self.app = create_app(Settings(api_keys=(KEY,), world=None, id_seed=7, progression="immediate"))
        self.state = emulator_state(self.app)
        tenant = self.state.backends.tenant_for_key(KEY)
        assert tenant is not None
        self.tenant = tenant
        self.api = Driver(self.app, {"authorization": f"Bearer {KEY}"})
        self.seed()

    def seed(self) -> None:
        raise NotImplementedError

    def ops(self) -> Iterator[Op]:
        raise NotImplementedError

    def middle_page(self, total: int, size: int = 30) -> int:
        return max(1, total // size // 2)


class Datasets(Family):
    name = "datasets"

    def seed(self) -> None:
        self.ids = [self.tenant.datasets.insert(name=f"ds-{i}").id for i in range(self.size)]

    def ops(self) -> Iterator[Op]:
        a = self.api
        yield Op("create", lambda i: a.json("POST", "/api/v1/datasets", json_body={"name": f"new-{i}"}))
        yield Op("get", lambda i: a.json("GET", "/api/v1/datasets", query={"name": f"ds-{i * 7 % self.size}"}))
        page = self.middle_page(self.size)
        yield Op("list", lambda i: a.json("GET", "/api/v1/datasets", query={"page": page, "page_size": 30}))
        yield Op("update", lambda i: a.json("PUT", f"/api/v1/datasets/{self.ids[i]}", json_body={"name": f"u-{i}"}))
        yield Op("delete", lambda i: a.json("DELETE", "/api/v1/datasets", json_body={"ids": [self.ids[-1 - i]]}))


class Documents(Family):
    name = "documents"

    def seed(self) -> None:
        self.dataset = self.tenant.datasets.insert(name="docs")
        store = self.tenant.documents
        self.ids = [store.upload(self.dataset, f"doc-{i}.txt", b"hello world").id for i in range(self.size)]

    def ops(self) -> Iterator[Op]:
        a, base = self.api, f"/api/v1/datasets/{self.dataset.id}/documents"

        def upload(i: int) -> Any:
            body, kind = multipart("file", [(f"up-{i}.txt", b"some text")])
            return a.json("POST", base, body=body, content_type=kind)

        yield Op("create", upload)
        yield Op("get", lambda i: a.json("GET", base, query={"id": self.ids[i * 7 % self.size]}))
        page = self.middle_page(self.size)
        yield Op("list", lambda i: a.json("GET", base, query={"page": page, "page_size": 30}))
        yield Op("update", lambda i: a.json("PUT", f"{base}/{self.ids[i]}", json_body={"name": f"r-{i}.txt"}))
        yield Op("delete", lambda i: a.json("DELETE", base, json_body={"ids": [self.ids[-1 - i]]}))


class Chunks(Family):
    name = "chunks"

    def seed(self) -> None:
        self.dataset = self.tenant.datasets.insert(name="chunks")
        self.doc = self.tenant.documents.upload(self.dataset, "doc.txt", b"hello")
        store = self.tenant.chunks
        self.ids = [
            store.add_to(self.doc, NewChunk(f"chunk number {i} about topic {i % 97}", [], [])).id  # type: ignore[arg-type]
            for i in range(self.size)
        ]

    def ops(self) -> Iterator[Op]:
        a = self.api
        base = f"/api/v1/datasets/{self.dataset.id}/documents/{self.doc.id}/chunks"
        yield Op("create", lambda i: a.json("POST", base, json_body={"content": f"added chunk {i}"}))
        page = self.middle_page(self.size)
        yield Op("list", lambda i: a.json("GET", base, query={"page": page, "page_size": 30}))
        yield Op("get", lambda i: a.json("GET", base, query={"id": self.ids[i * 7 % self.size]}))
        yield Op("update", lambda i: a.json("PUT", f"{base}/{self.ids[i]}", json_body={"content": f"changed {i}"}))
        yield Op("delete", lambda i: a.json("DELETE", base, json_body={"chunk_ids": [self.ids[-1 - i]]}))


class Chats(Family):
    name = "chats"

    def seed(self) -> None:
        self.dataset = self.tenant.datasets.insert(name="kb")
        self.ids = [self.tenant.chats.insert(name=f"chat-{i}").id for i in range(self.size)]

    def ops(self) -> Iterator[Op]:
        a = self.api
        yield Op("create", lambda i: a.json("POST", "/api/v1/chats", json_body={"name": f"new-{i}", "dataset_ids": []}))
        yield Op("get", lambda i: a.json("GET", "/api/v1/chats", query={"id": self.ids[i * 7 % self.size]}))
        page = self.middle_page(self.size)
        yield Op("list", lambda i: a.json("GET", "/api/v1/chats", query={"page": page, "page_size": 30}))
        yield Op("update", lambda i: a.json("PUT", f"/api/v1/chats/{self.ids[i]}", json_body={"name": f"u-{i}"}))
        yield Op("delete", lambda i: a.json("DELETE", "/api/v1/chats", json_body={"ids": [self.ids[-1 - i]]}))


class Sessions(Family):
    name = "sessions"

    def seed(self) -> None:
        self.chat = self.tenant.chats.insert(name="chat")
        store = self.tenant.sessions
        self.ids = [store.create(self.chat, f"s-{i}").id for i in range(self.size)]

    def ops(self) -> Iterator[Op]:
        a, base = self.api, f"/api/v1/chats/{self.chat.id}/sessions"
        yield Op("create", lambda i: a.json("POST", base, json_body={"name": f"new-{i}"}))
        yield Op("get", lambda i: a.json("GET", base, query={"id": self.ids[i * 7 % self.size]}))
        page = self.middle_page(self.size)
        yield Op("list", lambda i: a.json("GET", base, query={"page": page, "page_size": 30}))
        yield Op("update", lambda i: a.json("PUT", f"{base}/{self.ids[i]}", json_body={"name": f"u-{i}"}))
        yield Op("delete", lambda i: a.json("DELETE", base, json_body={"ids": [self.ids[-1 - i]]}))


DSL = default_dsl([])


class Agents(Family):
    name = "agents"

    def seed(self) -> None:
        self.ids = [self.tenant.agents.insert(f"agent-{i}", DSL).id for i in range(self.size)]

    def ops(self) -> Iterator[Op]:
        a = self.api
        yield Op("create", lambda i: a.json("POST", "/api/v1/agents", json_body={"title": f"new-{i}", "dsl": DSL}))
        yield Op("get", lambda i: a.json("GET", "/api/v1/agents", query={"id": self.ids[i * 7 % self.size]}))
        page = self.middle_page(self.size)
        yield Op("list", lambda i: a.json("GET", "/api/v1/agents", query={"page": page, "page_size": 30}))
        yield Op("update", lambda i: a.json("PUT", f"/api/v1/agents/{self.ids[i]}", json_body={"title": f"u-{i}"}))
        yield Op("delete", lambda i: a.json("DELETE", f"/api/v1/agents/{self.ids[-1 - i]}"))


class AgentSessions(Family):
    name = "agent_sessions"

    def seed(self) -> None:
        self.agent = self.tenant.agents.insert("agent", DSL)
        store = self.tenant.agent_sessions
        message = [{"role": "assistant", "content": "Hi!"}]
        self.ids = [store.create(self.agent.id, "", message, {}).id for i in range(self.size)]

    def ops(self) -> Iterator[Op]:
        a, base = self.api, f"/api/v1/agents/{self.agent.id}/sessions"
        yield Op("create", lambda i: a.json("POST", base, json_body={}))
        yield Op("get", lambda i: a.json("GET", base, query={"id": self.ids[i * 7 % self.size]}))
        page = self.middle_page(self.size)
        yield Op("list", lambda i: a.json("GET", base, query={"page": page, "page_size": 30}))
        yield Op("delete", lambda i: a.json("DELETE", base, json_body={"ids": [self.ids[-1 - i]]}))


class Legacy(Family):
    """Legacy conversations (chatbot key) and legacy tokens (web login), N of each."""

    name = "legacy"

    def seed(self) -> None:
        web = Driver(self.app)
        web.json("POST", "/v1/user/register", json_body={"nickname": "u", "email": "u@x.com", "password": PASSWORD})
        status, _ = web.request("POST", "/v1/user/login", json_body={"email": "u@x.com", "password": PASSWORD})
        user = self.state.backends.accounts.by_email("u@x.com")
        assert user is not None and status == 200
        token = self.state.backends.accounts.login_token(user)
        self.web = Driver(self.app, {"authorization": token})
        tenant = self.state.backends.tenant(user.id)
        assert tenant is not None
        self.user_tenant = tenant
        self.chat = tenant.chats.insert(name="bot")
        self.other = tenant.chats.insert(name="other")
        backends = self.state.backends
        self.key = backends.add_token(tenant, dialog_id=self.chat.id)
        self.bot = Driver(self.app, {"authorization": f"Bearer {self.key.token}"})
        self.tokens = [backends.add_token(tenant, dialog_id=self.other.id).token for _ in range(self.size)]
        message = [{"role": "assistant", "content": "Hi!"}]
        sessions = tenant.agent_sessions
        self.conversations = [sessions.create(self.chat.id, "", message, {}).id for _ in range(self.size)]

    def ops(self) -> Iterator[Op]:
        bot, web = self.bot, self.web
        yield Op("create", lambda i: bot.json("GET", "/v1/api/new_conversation", query={"user_id": "u"}))
        yield Op("get", lambda i: bot.json("GET", f"/v1/api/conversation/{self.conversations[i * 7 % self.size]}"))
        yield Op("token create", lambda i: web.json("POST", "/v1/api/new_token", json_body={"dialog_id": self.chat.id}))
        yield Op("token list", lambda i: web.json("GET", "/v1/api/token_list", query={"dialog_id": self.chat.id}))
        tid = self.user_tenant.tenant_id
        yield Op(
            "token delete",
            lambda i: web.json("POST", "/v1/api/rm", json_body={"tenant_id": tid, "tokens": [self.tokens[-1 - i]]}),
        )


class Accounts(Family):
    """N registered users (each with a tenant); register, login, info."""

    name = "accounts"
    limit = 20_000

    def seed(self) -> None:
        accounts = self.state.backends.accounts
        for i in range(self.size):
            accounts.register(f"user{i}@x.com", PASSWORD, f"user{i}")

    def ops(self) -> Iterator[Op]:
        web = Driver(self.app)
        body = {"email": "", "password": PASSWORD}
        yield Op(
            "create",
            lambda i: web.json(
                "POST", "/v1/user/register", json_body={"nickname": "n", "email": f"n{i}@x.com", "password": PASSWORD}
            ),
        )

        def login(i: int) -> Any:
            status, raw = web.request(
                "POST", "/v1/user/login", json_body={**body, "email": f"user{i * 7 % self.size}@x.com"}
            )
            assert status == 200 and b'"code":0' in raw, raw[:200]

        yield Op("login", login)
        accounts = self.state.backends.accounts
        users = list(accounts.users.values())

        def info(i: int) -> Any:
            user = users[i * 7 % self.size]
            return web.json("GET", "/v1/user/info", headers={"authorization": accounts.login_token(user)})

        yield Op("get", info)


FAMILIES: dict[str, type[Family]] = {
    f.name: f for f in (Datasets, Documents, Chunks, Chats, Sessions, Agents, AgentSessions, Legacy, Accounts)
}


def measure(family: type[Family], size: int, reps: int) -> dict[str, float]:
    """Median ms per operation at one size."""
    bench = family(size, reps)
    gc.collect()
    results: dict[str, float] = {}
    for op in bench.ops():
        op.run(reps)  # warm-up (also a distinct target)
        samples = []
        for i in range(reps):
            started = time.thread_time()
            op.run(i)
            samples.append((time.thread_time() - started) * 1000)
        results[op.name] = statistics.median(samples)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="sizes 100 and 10,000, fewer repetitions")
    parser.add_argument("--sizes", default=None, help="comma-separated row counts (first is the baseline)")
    parser.add_argument("--families", default=",".join(FAMILIES), help="comma-separated family names")
    parser.add_argument("--reps", type=int, default=None)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ("100,10000" if args.quick else "100,10000,100000")).split(",")]
    reps = args.reps or (15 if args.quick else 40)
    print(f"scale: in-process ASGI, median ms/op over {reps} requests, ratio to {sizes[0]} rows")
    header = "".join(f"{s:>12,}" for s in sizes)
    print(f"  {'family':15}{'operation':14}{header}   ratio(s)     target")
    failures = 0
    for name in args.families.split(","):
        family = FAMILIES[name]
        measure(family, sizes[0], max(3, reps // 5))  # warm-up: first-use costs are not the baseline's
        fitting = [s for s in sizes if s <= family.limit]
        per_size = {size: measure(family, size, reps) for size in fitting}
        base = per_size[sizes[0]]
        for op_name in base:
            figures = "".join(f"{per_size[s][op_name]:12.3f}" if s in per_size else f"{'-':>12}" for s in sizes)
            ratios = [per_size[s][op_name] / base[op_name] for s in fitting[1:]]
            target = TARGETS.get(op_name, DEFAULT_TARGET)
            met = all(r <= target for r in ratios)
            failures += not met
            shown = " ".join(f"{r:5.2f}x" for r in ratios)
            print(f"  {name:15}{op_name:14}{figures}   {shown:12} <={target}x {'met' if met else 'NOT MET'}")
        if len(fitting) < len(sizes):
            print(f"  {name:15}(sizes above {family.limit:,} not run: {family.__doc__})")
        sys.stdout.flush()
    print(f"  {failures} operation(s) over target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
