"""API profiles: older RAGFlow HTTP APIs served as thin surfaces over the one shared state.

A profile is one `Profile` value (`profiles/base.py`) registered in `profiles/registry.py:PROFILES`. How to add
one (this is what `2024-06-dataset` and `2024-10-draft` do):

1. Write its OpenAPI document by hand: `openapi/profile-<name>.yaml` (3.1; the original paths, e.g.
   `/api/v1/dataset`, never the `/_p/<name>` prefix). operationIds must be unique across ALL documents: start
   them with the profile's tag (`v07…` for 2024-05-legacy, `v10…` for 2024-06-dataset, `draft…` for 2024-10-draft).
   Security schemes as in the other documents; `x-ragflow-deferred-auth: true` when the handler authenticates
   itself (guard order), `x-ragflow-codes` as everywhere.
2. Write its handlers in a family package of its own, `mockserver/families/<tag>_<name>/` (e.g.
   `families/legacy_2024_05/`): `*handlers.py` modules with a `HANDLERS = {operationId: handler}` dict; rules that
   are not HTTP in non-handler modules over the shared stores (`tenant.datasets`, `.documents`, `.chunks`,
   `.chats`, `.sessions`, …) — renames of the reference's §3 are views, never copies of the state.
   Success bodies via `http/envelope.py` (`retcode_result` = R3, `json_result` = K3, `result` = OK); errors are
   raised `RagflowError`s, rendered through the profile's `error_style`.
3. Declare it in `mockserver/profiles/<module>.py` as `PROFILE = Profile(...)`: `name`, `namespace` (`LEGACY`:
   selected by `--legacy-profile`, owns `/v1/api`; `DATASET`: selected by `--profile`, owns the singular
   `/api/v1/dataset…` and `/api/v1/chat…`), `spec_file`, `handlers`, `error_style` (`retcode_everywhere` or
   `retcode_for(PythonError, LoginRequired, …)`: which errors keep the 2024 `retcode`/`retmsg` keys), `owns`
   (path prefixes, segment-wise), `slash_rules` (original paths whose Flask rule ended in `/`: a wrong method
   on the slash-less path is 404), `release`, `seed`, `summary`. Add it to `PROFILES` in `registry.py`.
4. Tests: `tests/profiles/test_registry.py` validates every profile's document and its spec ↔ handler
   registry automatically; add the profile's route tests under `tests/families/<package>/`.

Serving (`profiles/mounting.py`): every profile is always mounted under `/_p/<name>/<original path>`; the
selected ones (`Settings.profile`, `Settings.legacy_profile`) also at their original paths, where they replace
the current operations under the prefixes they own. Unknown paths and methods answer in the envelope of the
profile owning the path (longest prefix). Profile-specific switches go in `Settings.extra["<name>.<option>"]`.
"""
