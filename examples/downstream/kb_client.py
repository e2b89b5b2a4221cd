"""The "application code" under test: a tiny client of a RAGFlow server, written the way a downstream app would."""

from __future__ import annotations

import json
from typing import Any

import httpx


class RagflowError(RuntimeError):
    """The server answered with a non-zero envelope code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class KnowledgeBase:
    """Lists datasets and asks a chat assistant, retrying once on a server-side error."""

    def __init__(self, base_url: str, api_key: str, retries: int = 1) -> None:
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=10)
        self.retries = retries

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in range(self.retries + 1):
            body = self.http.request(method, f"/api/v1{path}", **kwargs).json()
            if body["code"] == 0:
                return body.get("data")
            if attempt == self.retries or body["code"] not in (100, 500):
                raise RagflowError(body["code"], body.get("message", ""))
        raise AssertionError("unreachable")

    def dataset_names(self) -> list[str]:
        return [d["name"] for d in self._call("GET", "/datasets")]

    def chat_id(self, name: str) -> str:
        chats = self._call("GET", "/chats", params={"name": name})
        return str(chats[0]["id"])

    def new_session(self, chat_id: str) -> str:
        """A conversation to ask in (without one, RAGFlow only answers with the chat's opener)."""
        return str(self._call("POST", f"/chats/{chat_id}/sessions", json={"name": "downstream"})["id"])

    def ask(self, chat_name: str, question: str) -> tuple[str, list[str]]:
        """Ask a question (non-streaming); returns the answer and the cited document names."""
        chat_id = self.chat_id(chat_name)
        body = {"question": question, "stream": False, "session_id": self.new_session(chat_id)}
        data = self._call("POST", f"/chats/{chat_id}/completions", json=body)
        chunks = (data.get("reference") or {}).get("chunks") or []
        return data["answer"], sorted({c["document_name"] for c in chunks})

    def ask_streaming(self, chat_name: str, question: str) -> list[dict[str, Any]]:
        """Ask with `stream: true`; returns the decoded events in order."""
        events = []
        chat_id = self.chat_id(chat_name)
        body = {"question": question, "stream": True, "session_id": self.new_session(chat_id)}
        with self.http.stream("POST", f"/api/v1/chats/{chat_id}/completions", json=body) as response:
            for line in response.iter_lines():
                if line.startswith("data:"):
                    events.append(json.loads(line[5:]))
        return events

    def close(self) -> None:
        self.http.close()
