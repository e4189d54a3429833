"""The gateway's state and what its route families share."""

from __future__ import annotations

import json
import random
import time
from functools import partial

import attrs
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kling_common.generation import Generation
from kling_common.serving import bounded_body

from .config import (
    INSUFFICIENT_USER_QUOTA,
    TOKEN_QUOTA_TOO_LOW,
    EmulatorConfig,
    token_key,
)
from .kling_stage import Created, RemoteKling
from .not_a_route import WebRateLimit, not_a_route
from .refresh import RefreshPasses
from .render import gateway_error, submitted_body, task_error
from .responses import GinJSON
from .seeding import seed_store
from .tasks import Clock, TaskRecord, TaskStore, new_gateway_id, new_kling_id
from .validation import (
    MODEL_REQUIRED,
    Refusal,
    Submission,
    model_of,
    parse_body,
    read_submit,
)

# The header a token that names a channel is answered with (middleware/auth.go).
SPECIFIC_CHANNEL_VERSION = "701e3ae1dc3f7975556d354e0675168d004891c8"


@attrs.frozen
class Caller:
    """Who a request's token belongs to."""

    user: int
    token: str  # as configured, to look up its limits
    allowed_models: frozenset[str] | None  # None: every model


class GatewayCore:
    """The state of one emulated gateway and what every route family does alike: its
    tokens, its refusals, its task lookups and its submit pipeline. The route families
    (kling_routes.py, unified_routes.py, task_routes.py) are built on it."""

    def __init__(self, config: EmulatorConfig, clock: Clock = time.time) -> None:
        self.config = config
        # Every moment the gateway reads (lifecycles, refresh passes, rate-limit windows,
        # `Date`) comes from this clock, so that tests can step it instead of waiting.
        self.clock = clock
        passes = None
        if config.refresh is not None:
            passes = RefreshPasses(config.refresh, config.lifecycle.scale, clock())
        self.store = TaskStore(config.max_tasks, clock=clock, passes=passes)
        self.remote = RemoteKling(config.kling) if config.kling is not None else None
        self.web_limit = (
            None
            if config.web_rate_limit is None
            else WebRateLimit(*config.web_rate_limit, clock=clock)
        )
        # Generation C: wrong artifact access values, counted per address.
        self.wrong_access = WebRateLimit(*config.artifact_access_limit, clock=clock)
        self.rng = random.Random(config.faults.seed)
        self.tokens = {token_key(t): t for t in config.tokens}
        # Every task a submit created, in order (the emulator's own record of what a real
        # gateway would have billed): /emulator/submits.
        self.created: list[dict[str, str | int]] = []
        self.seeded: dict[int, dict[str, str]] = {}
        if config.seed_tasks:
            self.seeded = seed_store(self.store, config)

    # -- answers ---------------------------------------------------------------------------

    @staticmethod
    def _rid(request: Request) -> str:
        return str(request.scope["state"]["request_id"])

    def routing_error(
        self, request: Request, status: int, message: str, **kw: str
    ) -> JSONResponse:
        return GinJSON(
            gateway_error(message, self._rid(request), **kw), status_code=status
        )

    @staticmethod
    def task_error(status: int, code: str, message: str) -> JSONResponse:
        return GinJSON(task_error(code, message), status_code=status)

    def refusal(self, request: Request, refusal: Refusal) -> JSONResponse:
        if refusal.layer == "routing":
            return self.routing_error(
                request, refusal.status, refusal.message, code=refusal.code
            )
        return self.task_error(refusal.status, refusal.code, refusal.message)

    # -- authentication ----------------------------------------------------------------------

    def authenticate(self, request: Request) -> Caller | JSONResponse:
        """The caller behind the token, or the gateway's 401/403 answer (middleware/auth.go)."""
        key = request.headers.get("authorization", "")
        if key.startswith(("Bearer ", "bearer ")):
            key = key[7:].strip()
        parts = key.removeprefix("sk-").split("-")
        token = self.tokens.get(parts[0]) if parts[0] else None
        if token is None:
            # No user yet: the request's language, else the default (middleware/i18n.go).
            chinese = (
                request.headers.get("accept-language", "").lower().startswith("zh")
            )
            return self.routing_error(
                request, 401, "无效的令牌" if chinese else "Invalid token"
            )
        if token in self.config.exhausted_tokens:
            if self.config.generation is Generation.A:
                return self.routing_error(
                    request,
                    401,
                    f"This token quota is exhausted TokenStatusExhausted"
                    f"[sk-{parts[0][:3]}***{parts[0][-3:]}]",
                )
            return self.routing_error(request, 401, "Invalid token")
        if token in self.config.banned_tokens:
            return self.routing_error(request, 403, "User has been banned")
        if len(parts) > 1:
            # The part after `-` names a channel: only administrators may pick one.
            refused = self.routing_error(request, 403, "普通用户不支持指定渠道")
            refused.headers["specific_channel_version"] = SPECIFIC_CHANNEL_VERSION
            return refused
        return Caller(
            self.config.tokens[token], token, self.config.model_limits.get(token)
        )

    def purse_refusal(self, caller: Caller) -> Refusal | None:
        """The quota is pre-consumed after the request is read and before Kling is asked
        (relay/relay_task.go): an empty balance, or a token with too little left, is 403 in
        the task layer's shape."""
        if caller.token in self.config.broke_tokens:
            return Refusal(
                403, "task", "insufficient_user_quota", INSUFFICIENT_USER_QUOTA
            )
        if caller.token in self.config.low_quota_tokens:
            return Refusal(
                403, "task", "pre_consume_token_quota_failed", TOKEN_QUOTA_TOO_LOW
            )
        return None

    def model_refusal(
        self, request: Request, caller: Caller, model: str
    ) -> JSONResponse | None:
        """A model-limited token may not use this model (middleware/distributor.go)."""
        if caller.allowed_models is None or model in caller.allowed_models:
            return None
        return self.routing_error(
            request, 403, f"This token has no access to model {model}"
        )

    async def _submit(
        self, request: Request, converted: bool, model: str | None = None
    ) -> Response:
        """A submit; `model` (a remix's origin task's) stands for the body's."""
        caller = self.authenticate(request)
        if isinstance(caller, JSONResponse):
            return caller
        raw = await bounded_body(request, self.config.max_body_bytes)
        if raw is None:
            return self.routing_error(
                request, 400, "Invalid request: Invalid request: request body too large"
            )
        # The unified routes read their body the generation B way in every generation,
        # forms included (checked on the gateway built from 8aa025f6e, generation A).
        generation = self.config.generation if converted else Generation.B
        content_type = request.headers.get("content-type", "")
        body = parse_body(raw, content_type, generation)
        if isinstance(body, Refusal):
            return self.refusal(request, body)
        if model is not None and isinstance(body, dict):
            body = {**body, "model": model}
        found = model_of(body, generation)
        # The routing layer reads the model as text, whatever its JSON type (gjson).
        model = found if isinstance(found, str) else json.dumps(found)
        refused = self.model_refusal(request, caller, model)
        if refused is not None:
            return refused
        if not model:
            return self.routing_error(request, 400, MODEL_REQUIRED)
        if model not in self.config.models:
            return self.routing_error(
                request,
                503,
                f"No available channel for model {model} under group default (distributor)",
                code="model_not_found",
            )
        submission = read_submit(
            body,
            model,
            self.config.generation,
            check_kling=self.remote is None,
            converted=converted,
            # Generation A decoded a unified body's duration as an int: text, from JSON or
            # an urlencoded form, was refused; a multipart form's was read (8aa025f6e).
            int_duration=self.config.generation is Generation.A
            and not converted
            and not content_type.lower().startswith("multipart/"),
        )
        if isinstance(submission, Refusal):
            return self.refusal(request, submission)
        purse = self.purse_refusal(caller)
        if purse is not None:
            return self.refusal(request, purse)
        created: Created | None = None
        if self.remote is not None:
            answer = await self.remote.create(
                submission.kling_request, submission.action
            )
            if isinstance(answer, Refusal):
                return self.refusal(request, answer)
            created = answer
        record = self.store.add(
            lambda row: self._new_record(row, caller.user, submission, created)
        )
        self.created.append(
            {
                "task_id": record.task_id,
                "external_task_id": record.external_task_id,
                "user": record.user_id,
            }
        )
        # Per-call prices have no other ratios: generation B sends an empty object, A
        # nothing (checked on the gateways built from e2c7aa7 and 8aa025f6e).
        ratios = {"X-New-Api-Other-Ratios": "{}"}
        return GinJSON(
            submitted_body(record, self.config.generation),
            headers=None if self.config.generation is Generation.A else ratios,
        )

    async def _get(self, task_id: str, user: int | None = None) -> TaskRecord | None:
        """A user's task (any user's with `user=None`, for the emulator's own routes).
        Refresh passes run up to now first; with a real Kling they poll it over HTTP, so
        then the lookup runs off the event loop."""
        if user is None:
            lookup = partial(self.store.find, task_id)
        else:
            lookup = partial(self.store.get, task_id, user)
        if self.remote is None:
            return lookup()
        return await run_in_threadpool(lookup)

    def _new_record(
        self, row: int, user: int, submission: Submission, created: Created | None
    ) -> TaskRecord:
        kling_id = new_kling_id() if created is None else created.kling_id
        return TaskRecord(
            task_id=kling_id
            if self.config.generation is Generation.A
            else new_gateway_id(),
            kling_id=kling_id,
            user_id=user,
            action=submission.action,
            model=submission.model,
            prompt=submission.prompt,
            external_task_id=submission.external_task_id,
            submitted_at=self.clock(),
            lifecycle=self.config.lifecycle,
            fails="[fail]" in submission.prompt
            or self.rng.random() < self.config.failure_rate,
            row_id=row,
            kling_request=submission.kling_request,
            remote=self.remote,
            kling_answer=None if created is None else created.answer,
        )

    async def _queried(self, request: Request) -> TaskRecord | Response:
        """The caller's task, or the answer that refuses the query."""
        if request.method != "GET":  # Starlette adds HEAD to GET routes; gin does not
            return not_a_route(request)
        caller = self.authenticate(request)
        if isinstance(caller, JSONResponse):
            return caller
        record = await self._get(request.path_params["task_id"], caller.user)
        # The model of the task asked for, "" for an unknown one. Generation A gateways
        # refused every query of a model-limited token.
        model = (
            record.model
            if record and self.config.generation is not Generation.A
            else ""
        )
        refused = self.model_refusal(request, caller, model)
        if refused is not None:
            return refused
        if record is None:
            return self.task_error(400, "task_not_exist", "task_not_exist")
        return record
