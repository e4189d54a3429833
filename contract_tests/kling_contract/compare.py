"""`kling-compare`: send the same requests to two gateways and report every difference.

Each side is a JSON file naming a gateway and its tokens by role:

    {"base_url": "http://127.0.0.1:3300",
     "tokens": {"main": "sk-...", "other": "sk-...", "exhausted": "sk-...", "limited": "sk-..."}}

`main` is required; `other` is a second user, `exhausted` a token whose quota is used up,
`limited` a token limited to one model, `broke` a token of a user whose balance is used up,
`low_quota` a token with too little quota left for a task. Probes whose role a side lacks are skipped on both.
The corpus (`corpus()`) covers queries, submits of every content type, bad tokens, what is
not a route, method probes and trailing slashes. Without `--allow-create` it sends only
GET, HEAD and OPTIONS: a gateway that takes more than expected (an old one, a broken one)
would create and bill a task for a submit meant to be refused. With it, it first submits one
task on each side and waits until both are final (this costs money on a real gateway), so
that queries of real tasks compare like with like.

Each answer is reduced to what must agree (`AnswerShape`): the status, the kind of body, the
header names (and the values of a few), every JSON field with its type, and the values of
fields that are not ids, times or request ids (`comparable_value`). The rules are here,
not in a list of exceptions; a team's known differences go in `--known FILE`.
"""

from __future__ import annotations

import fnmatch
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import click
import httpx

from kling_common.families import FAMILIES, Family, family_of
from kling_common.wire import MODELS

from .json_shape import fields_of, json_type
from .served import probe
from .spec import load_spec

JSON = dict[str, Any]
ROLES = ("main", "other", "exhausted", "limited", "broke", "low_quota")
SUBMIT = "/kling/v1/videos/{route}"
QUERY = "/kling/v1/videos/{route}/{task}"
UNKNOWN_ID = "task_compareunknown00000000000000000"
# Headers that differ between any two answers, or between servers, by nature. (The request
# id and version headers are compared by presence: gin's redirects lack them.)
VOLATILE_HEADERS = frozenset(
    {"date", "content-length", "connection", "keep-alive", "server", "transfer-encoding",
     "vary"}
)  # fmt: skip
# Headers whose values must agree, not only their presence.
VALUE_HEADERS = frozenset(
    {"location", "retry-after", "cache-control", "access-control-allow-origin",
     "access-control-allow-methods", "x-new-api-other-ratios"}
)  # fmt: skip
# Field names whose values are ids, times, quotas or URLs: only their types must agree.
_VOLATILE_KEY = re.compile(
    r"(^|_)(id|ids|at|time|url|quota|deduction)$|^(id|request_id|created|updated)$"
)
# Inside text: request ids, task ids, Kling ids, uuids, ports.
_VOLATILE_TEXT = [
    (re.compile(r"\(request id: [^)]*\)"), "(request id: *)"),
    (re.compile(r"task_[A-Za-z0-9]{32}"), "task_*"),
    (
        re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
        "uuid",
    ),
    (re.compile(r"\b\d{15,20}\b"), "N"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:*"),
]


@attrs.frozen
class Side:
    label: str
    base_url: str
    tokens: Mapping[str, str] = attrs.field(repr=False)

    @classmethod
    def load(cls, label: str, path: Path) -> Side:
        data = json.loads(path.read_text())
        tokens = data.get("tokens") or {}
        if not isinstance(data.get("base_url"), str) or not tokens.get("main"):
            raise click.UsageError(
                f"{path}: needs base_url and tokens.main (roles: {', '.join(ROLES)})"
            )
        unknown = set(tokens) - set(ROLES)
        if unknown:
            raise click.UsageError(f"{path}: unknown token roles {sorted(unknown)}")
        return cls(label, data["base_url"].rstrip("/"), dict(tokens))


@attrs.frozen
class Probe:
    """One request, written once for both sides: `{task}`, `{other_task}` in the path and
    a token role stand for what each side has."""

    name: str
    method: str
    path: str
    token: str | None = "main"  # a role, "raw:<header value>", or None for no header
    json_body: Any = None
    content: bytes | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    needs: tuple[str, ...] = ()  # roles or tasks the probe needs

    @property
    def may_create(self) -> bool:
        """Whether a gateway could create (and bill) a task for it. Not only the submits
        meant to succeed: a gateway that takes more than the corpus expects (an old one,
        a broken one) creates tasks for refusals too. So every request but a read."""
        return self.method not in READS


# The only methods sent without --allow-create: they read, and no gateway creates a task for one.
READS = frozenset({"GET", "HEAD", "OPTIONS"})
IMAGE = "https://example.com/cat.png"
GOOD_I2V: JSON = {
    "model": "kling-v1", "model_name": "kling-v1", "prompt": "a cat turns its head",
    "image": IMAGE, "duration": "5",
    "negative_prompt": "blurry", "metadata": {"negative_prompt": "blurry"},
}  # fmt: skip
GOOD_T2V: JSON = {
    "model": "kling-v1",
    "model_name": "kling-v1",
    "prompt": "a paper boat",
}


def corpus() -> list[Probe]:
    """The requests both gateways are asked."""
    probes: list[Probe] = []
    for route in ("image2video", "text2video"):
        query = QUERY.format(route=route, task="{task}")
        probes += [
            Probe(f"query {route}", "GET", query, needs=("task",)),
            Probe(f"query {route} unknown id", "GET", QUERY.format(route=route, task=UNKNOWN_ID)),
        ]  # fmt: skip
    unknown = QUERY.format(route="image2video", task=UNKNOWN_ID)
    mine = QUERY.format(route="image2video", task="{task}")
    probes += [
        Probe("query another user's task", "GET", mine, token="other", needs=("task", "other")),
        Probe("query with a used-up token", "GET", mine, token="exhausted", needs=("task", "exhausted")),
        Probe("query unknown id with a model-limited token", "GET", unknown, token="limited", needs=("limited",)),
        Probe("query with a channel-naming token", "GET", unknown, token="main-channel"),
        Probe("query without a token", "GET", unknown, token=None),
        Probe("query with a wrong token", "GET", unknown, token="raw:Bearer sk-comparewrong"),
        Probe("query with lower-case bearer", "GET", unknown, token="raw:bearer {main}"),
        Probe("query with a wrong token, in Chinese", "GET", unknown, token="raw:Bearer sk-comparewrong", headers={"Accept-Language": "zh-CN"}),
        Probe("query an id of 129 characters", "GET", QUERY.format(route="image2video", task="a" * 129)),
        Probe("query an id with odd characters", "GET", QUERY.format(route="image2video", task="a%20b%22c")),
    ]  # fmt: skip
    i2v, t2v = SUBMIT.format(route="image2video"), SUBMIT.format(route="text2video")
    form = b"model=kling-v1&prompt=a+cat&image=https%3A%2F%2Fexample.com%2Fcat.png"
    boundary = "compareboundary"
    multipart = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nkling-v1\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\na cat\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    probes += [
        Probe("submit image2video", "POST", i2v, json_body=GOOD_I2V),
        Probe("submit text2video", "POST", t2v, json_body=GOOD_T2V),
        Probe("submit with model_name only", "POST", i2v, json_body={k: v for k, v in GOOD_I2V.items() if k != "model"}),
        Probe("submit without a model", "POST", i2v, json_body={"prompt": "x"}),
        Probe("submit a model no channel serves", "POST", i2v, json_body={**GOOD_I2V, "model": "kling-compare-none"}),
        Probe("submit without a prompt", "POST", i2v, json_body={"model": "kling-v1"}),
        Probe("submit a blank prompt", "POST", i2v, json_body={**GOOD_I2V, "prompt": " \t"}),
        Probe("submit duration 4000", "POST", i2v, json_body={**GOOD_I2V, "duration": 4000}),
        Probe("submit metadata duration of the wrong type", "POST", i2v, json_body={**GOOD_I2V, "metadata": {"duration": 5}}),
        Probe("submit a value Kling refuses", "POST", i2v, json_body={**GOOD_I2V, "metadata": {"cfg_scale": 3}}),
        Probe("submit invalid JSON", "POST", i2v, content=b"{not json", headers={"Content-Type": "application/json"}),
        Probe("submit a JSON array", "POST", i2v, content=b"[1]", headers={"Content-Type": "application/json"}),
        Probe("submit an empty body", "POST", i2v, content=b"", headers={"Content-Type": "application/json"}),
        Probe("submit as text/plain", "POST", i2v, content=json.dumps(GOOD_I2V).encode(), headers={"Content-Type": "text/plain"}),
        Probe("submit as a form", "POST", i2v, content=form, headers={"Content-Type": "application/x-www-form-urlencoded"}),
        Probe("submit as multipart", "POST", t2v, content=multipart, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}),
        Probe("submit with a used-up token", "POST", i2v, token="exhausted", json_body=GOOD_I2V, needs=("exhausted",)),
        Probe("submit another model with a model-limited token", "POST", i2v, token="limited", json_body=GOOD_I2V, needs=("limited",)),
        Probe("submit with a user whose balance is used up", "POST", i2v, token="broke", json_body=GOOD_I2V, needs=("broke",)),
        Probe("submit with a token of too little quota", "POST", i2v, token="low_quota", json_body=GOOD_I2V, needs=("low_quota",)),
    ]  # fmt: skip
    for method in ("PUT", "DELETE", "PATCH", "POST"):
        probes.append(Probe(f"{method} on the query route", method, unknown))
    probes += [
        Probe("GET on the submit route", "GET", i2v),
        Probe("HEAD on the query route", "HEAD", unknown),
        Probe("OPTIONS without Origin", "OPTIONS", unknown),
        Probe("OPTIONS with Origin", "OPTIONS", unknown, headers={"Origin": "http://127.0.0.1:9", "Access-Control-Request-Method": "GET"}),
        Probe("GET with Origin", "GET", unknown, headers={"Origin": "http://127.0.0.1:9"}),
        Probe("trailing slash on a query", "GET", unknown + "/"),
        Probe("trailing slash on a submit", "POST", i2v + "/", json_body={"prompt": "x"}),
        Probe("empty id with a trailing slash", "GET", i2v + "//"),
        Probe("an id with an encoded slash", "GET", QUERY.format(route="image2video", task="a%2Fb")),
        Probe("the site root", "GET", "/", token=None),
        Probe("an unknown /v1 path", "GET", "/v1/compare-nothing", token=None),
        Probe("an unknown /api path", "GET", "/api/compare-nothing", token=None),
        Probe("an unknown /assets path", "GET", "/assets/compare-nothing", token=None),
        Probe("an unknown path", "GET", "/compare-nothing", token=None),
    ]  # fmt: skip
    probes += unified_corpus()
    probes += tasks_corpus()
    return probes


def tasks_corpus() -> list[Probe]:
    """Generation C's /v1/tasks routes (older gateways answer them as not a route) and the
    plugin's own refusals."""
    tasks = "/v1/tasks"
    content = f"{tasks}/{{task}}/artifacts/video/content"
    i2v = SUBMIT.format(route="image2video")
    return [
        Probe("tasks: query", "GET", f"{tasks}/{{task}}", needs=("task",)),
        Probe("tasks: query unknown id", "GET", f"{tasks}/{UNKNOWN_ID}"),
        Probe("tasks: query another user's task", "GET", f"{tasks}/{{task}}", token="other", needs=("task", "other")),
        Probe("tasks: artifacts", "GET", f"{tasks}/{{task}}/artifacts", needs=("task",)),
        Probe("tasks: artifacts of an unknown id", "GET", f"{tasks}/{UNKNOWN_ID}/artifacts"),
        Probe("tasks: content with the token", "GET", content, needs=("task",)),
        Probe("tasks: content with a forged access", "GET", content + "?access=" + "A" * 43, token=None, needs=("task",)),
        Probe("tasks: HEAD of content with the token", "HEAD", content, needs=("task",)),
        Probe("submit a model the Kling plugin does not serve", "POST", i2v, json_body={**GOOD_I2V, "model": "kling-v2-6", "model_name": "kling-v2-6"}),
    ]  # fmt: skip


def unified_corpus() -> list[Probe]:
    """The same tasks on the unified video routes (router/video-router.go)."""
    generations, videos = "/v1/video/generations", "/v1/videos"
    unified: JSON = {"model": "kling-v1", "prompt": "a cat turns its head", "image": IMAGE,
                     "duration": 5, "metadata": {"negative_prompt": "blurry"}}  # fmt: skip
    form = b"model=kling-v1&prompt=a+paper+boat"
    probes: list[Probe] = []
    for family, path in (("generations", generations), ("videos", videos)):
        probes += [
            Probe(f"{family}: query", "GET", f"{path}/{{task}}", needs=("task",)),
            Probe(f"{family}: query unknown id", "GET", f"{path}/{UNKNOWN_ID}"),
            Probe(f"{family}: query another user's task", "GET", f"{path}/{{task}}", token="other", needs=("task", "other")),
            Probe(f"{family}: query unknown id with a model-limited token", "GET", f"{path}/{UNKNOWN_ID}", token="limited", needs=("limited",)),
            Probe(f"{family}: query with a used-up token", "GET", f"{path}/{{task}}", token="exhausted", needs=("task", "exhausted")),
            Probe(f"{family}: submit", "POST", path, json_body=unified),
            Probe(f"{family}: submit as a form", "POST", path, content=form, headers={"Content-Type": "application/x-www-form-urlencoded"}),
            Probe(f"{family}: submit without a model", "POST", path, json_body={"prompt": "x"}),
            Probe(f"{family}: submit without a prompt", "POST", path, json_body={"model": "kling-v1"}),
            Probe(f"{family}: submit duration as text", "POST", path, json_body={**unified, "duration": "5.5"}),
            Probe(f"{family}: DELETE on the query route", "DELETE", f"{path}/{UNKNOWN_ID}"),
            Probe(f"{family}: trailing slash on a query", "GET", f"{path}/{UNKNOWN_ID}/"),
        ]  # fmt: skip
    content = f"{videos}/{{task}}/content"
    probes += [
        Probe("videos: content of a task", "GET", content, needs=("task",)),
        Probe("videos: content of an unknown id", "GET", f"{videos}/{UNKNOWN_ID}/content"),
        Probe("videos: content of another user's task", "GET", content, token="other", needs=("task", "other")),
        Probe("videos: content with a model-limited token", "GET", f"{videos}/{UNKNOWN_ID}/content", token="limited", needs=("limited",)),
        Probe("videos: content without a token", "GET", f"{videos}/{UNKNOWN_ID}/content", token=None),
        Probe("videos: remix of an unknown id", "POST", f"{videos}/{UNKNOWN_ID}/remix", json_body={"prompt": "again"}),
        Probe("videos: remix of a task", "POST", f"{videos}/{{task}}/remix", json_body={"prompt": "again"}, needs=("task",)),
        Probe("videos: GET on the submit route", "GET", videos),
        Probe("videos: trailing slash on a submit", "POST", f"{videos}/", json_body={"prompt": "x"}),
    ]  # fmt: skip
    return probes


# -- shapes ----------------------------------------------------------------------------------


def normalized_text(text: str) -> str:
    for pattern, replacement in _VOLATILE_TEXT:
        text = pattern.sub(replacement, text)
    return text


def comparable_value(key: str, value: Any) -> Any:
    """What of a field's value must agree: nothing for ids, times and the like (their type
    is compared), text with its ids masked, anything else as it is."""
    if _VOLATILE_KEY.search(key):
        return None
    if isinstance(value, str):
        return normalized_text(value)
    return value


def flatten(value: Any) -> Iterator[tuple[str, str, Any]]:
    """Every field as (path, JSON type, comparable value); containers have no value."""
    for path, item in fields_of(value, items=True):
        if isinstance(item, dict | list):
            yield path, json_type(item), None
        else:
            key = path.rsplit(".", 1)[-1].removesuffix("[]")
            yield path, json_type(item), comparable_value(key, item)


@attrs.frozen
class AnswerShape:
    status: int
    body_kind: str  # json, html, text, empty, binary
    headers: tuple[tuple[str, str], ...]
    fields: tuple[tuple[str, str, str], ...]  # path, type, value (as JSON)

    @classmethod
    def of(cls, response: httpx.Response) -> AnswerShape:
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        headers = sorted(
            (name, normalized_text(value) if name in VALUE_HEADERS else "")
            for name, value in ((n.lower(), v) for n, v in response.headers.items())
            if name not in VOLATILE_HEADERS and name != "content-type"
        )
        headers.append(("content-type", content_type))
        fields: list[tuple[str, str, str]] = []
        kind = "empty" if not response.content else "binary"
        if response.content and "json" in content_type:
            try:
                body = response.json()
            except ValueError:
                kind = "text"
            else:
                kind = "json"
                seen = {}
                for path, type_, value in flatten(body):
                    seen[(path, type_)] = json.dumps(
                        value, ensure_ascii=False, sort_keys=True
                    )
                fields = sorted((p, t, v) for (p, t), v in seen.items())
        elif response.content and content_type.startswith("text/html"):
            kind = "html"
        elif response.content and content_type.startswith("text/"):
            kind = "text"
        return cls(response.status_code, kind, tuple(headers), tuple(fields))


@attrs.frozen
class Difference:
    probe: str
    aspect: str  # status, body, header, field, value
    path: str
    left: str
    right: str

    def line(self, labels: tuple[str, str]) -> str:
        where = f" {self.path}" if self.path else ""
        return (
            f"{self.probe}: {self.aspect}{where}: "
            f"{labels[0]} {self.left} / {labels[1]} {self.right}"
        )


def differences(probe: str, left: AnswerShape, right: AnswerShape) -> list[Difference]:
    found: list[Difference] = []
    if left.status != right.status:
        found.append(
            Difference(probe, "status", "", str(left.status), str(right.status))
        )
    if left.body_kind != right.body_kind:
        found.append(Difference(probe, "body", "", left.body_kind, right.body_kind))
    lh, rh = dict(left.headers), dict(right.headers)
    for name in sorted(lh.keys() | rh.keys()):
        if lh.get(name) != rh.get(name):
            found.append(
                Difference(
                    probe,
                    "header",
                    name,
                    lh.get(name, "absent"),
                    rh.get(name, "absent"),
                )
            )
    lf = {(p, t): v for p, t, v in left.fields}
    rf = {(p, t): v for p, t, v in right.fields}
    lpaths, rpaths = {p for p, _ in lf}, {p for p, _ in rf}
    for path in sorted(lpaths | rpaths):
        ltypes = sorted(t for p, t in lf if p == path)
        rtypes = sorted(t for p, t in rf if p == path)
        if ltypes != rtypes:
            found.append(
                Difference(
                    probe,
                    "field",
                    path,
                    "|".join(ltypes) or "absent",
                    "|".join(rtypes) or "absent",
                )
            )
            continue
        for type_ in ltypes:
            if lf[(path, type_)] != rf[(path, type_)]:
                found.append(
                    Difference(
                        probe, "value", path, lf[(path, type_)], rf[(path, type_)]
                    )
                )
    return found


@attrs.frozen
class Known:
    """A difference a team expects, with the reason (from `--known FILE`)."""

    probe: str  # a glob over probe names
    aspect: str = "*"
    path: str = "*"
    reason: str = ""

    def covers(self, difference: Difference) -> bool:
        return (
            fnmatch.fnmatchcase(difference.probe, self.probe)
            and fnmatch.fnmatchcase(difference.aspect, self.aspect)
            and fnmatch.fnmatchcase(difference.path, self.path)
        )


# -- running ---------------------------------------------------------------------------------


def _authorization(side: Side, role: str | None) -> dict[str, str]:
    if role is None:
        return {}
    if role.startswith("raw:"):
        return {"Authorization": role[4:].replace("{main}", side.tokens["main"])}
    if role == "main-channel":
        return {"Authorization": f"Bearer {side.tokens['main']}-1"}
    return {"Authorization": f"Bearer {side.tokens[role]}"}


def send(
    client: httpx.Client, side: Side, probe: Probe, tasks: Mapping[str, str]
) -> httpx.Response:
    path = probe.path.replace("{task}", tasks.get("task", UNKNOWN_ID))
    headers = {**_authorization(side, probe.token), **probe.headers}
    return client.request(
        probe.method,
        side.base_url + path,
        headers=headers,
        json=probe.json_body
        if probe.content is None and probe.json_body is not None
        else None,
        content=probe.content,
        follow_redirects=False,
    )


def prepare_task(side: Side, deadline: float, interval: float | None = None) -> str:
    """One finished image-to-video task of the side's main user, made with this project's
    own client (and waited for with its refresh schedule)."""
    from kling_gateway import KlingClient, TaskFailedError

    with KlingClient(base_url=side.base_url, token=side.tokens["main"]) as client:
        submitted = client.submit(
            model=MODELS[0], image=IMAGE, prompt="a cat turns its head"
        )
        try:
            client.wait(submitted.task_id, deadline=deadline, interval=interval)
        except TaskFailedError:
            pass  # final all the same
        return submitted.task_id


def unserved_families(client: httpx.Client, side: Side) -> dict[Family, str]:
    """The families a side answers with its not-a-route answer, asked as kling-contract
    asks (with an unknown id), and what it said."""
    found = probe(
        client,
        side.base_url,
        UNKNOWN_ID,
        FAMILIES,
        load_spec(),
        headers=_authorization(side, "main"),
    )
    return {n.family: n.evidence for n in found.not_served}


def compare(
    left: Side,
    right: Side,
    probes: list[Probe],
    *,
    allow_create: bool,
    deadline: float,
    echo: Callable[[str], None],
    interval: float | None = None,
) -> tuple[list[Difference], int, list[str]]:
    """Every difference, the number of probes compared, and the probes skipped (with why)."""
    tasks: dict[str, dict[str, str]] = {left.label: {}, right.label: {}}
    if allow_create:
        for side in (left, right):
            echo(f"preparing a finished task on {side.label} ...")
            tasks[side.label]["task"] = prepare_task(side, deadline, interval)
    found: list[Difference] = []
    skipped: list[str] = []
    compared = 0
    with httpx.Client(timeout=60, trust_env=False) as client:
        unserved = {
            side.label: unserved_families(client, side) for side in (left, right)
        }
        for side in (left, right):
            for unserved_family, said in unserved[side.label].items():
                echo(
                    f"{side.label}: route family {unserved_family} not served ({said})"
                )
        for probe in probes:
            family = family_of(probe.path)
            not_serving = [
                side.label for side in (left, right) if family in unserved[side.label]
            ]
            # Both unserved: their not-a-route answers still compare.
            if len(not_serving) == 1:
                skipped.append(
                    f"{probe.name}: not compared: family {family} not served by "
                    + not_serving[0]
                )
                continue
            missing = [
                need
                for need in probe.needs
                if need != "task"
                and not (left.tokens.get(need) and right.tokens.get(need))
            ]
            if "task" in probe.needs and not allow_create:
                missing.append("a task (--allow-create)")
            if probe.may_create and not allow_create:
                missing.append("--allow-create (a gateway could create a task for it)")
            if missing:
                skipped.append(f"{probe.name}: needs {', '.join(missing)}")
                continue
            answers = [
                send(client, side, probe, tasks[side.label]) for side in (left, right)
            ]
            limited = [
                f"{side.label} answered 429 (Retry-After {answer.headers['retry-after']})"
                for side, answer in zip((left, right), answers, strict=True)
                if answer.status_code == 429 and "retry-after" in answer.headers
            ]
            if limited:
                # A gateway's web limiter (120 unmatched requests per 180 s per address,
                # say after a contract run): not an answer to compare, nor a difference.
                skipped.append(
                    f"{probe.name}: not compared: {'; '.join(limited)}, a rate limit"
                )
                continue
            compared += 1
            found += differences(probe.name, *map(AnswerShape.of, answers))
    return found, compared, skipped


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--left",
    "left_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The first gateway (JSON: base_url, tokens).",
)
@click.option(
    "--right",
    "right_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The second gateway.",
)
@click.option(
    "--allow-create",
    is_flag=True,
    help="Send what could create a task (one prepared per side, every submit, refusal and "
    "method probe): costs money. Without it only GET, HEAD and OPTIONS are sent, whatever "
    "the gateways answer.",
)
@click.option(
    "--known",
    "known_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Expected differences (JSON list of {probe, aspect, path, reason}).",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every difference here as JSON.",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=1),
    default=600,
    show_default=True,
    help="Seconds to wait for each prepared task.",
)
def main(
    left_file: Path,
    right_file: Path,
    allow_create: bool,
    known_file: Path | None,
    report: Path | None,
    deadline: float,
) -> None:
    """Send the same requests to two gateways and report every difference in status, error
    shape and code, fields and their types, and headers. Exit 0: none but known ones;
    1: differences; 2: bad options (the exit codes kling and kling-contract share,
    kling_common.exit_codes)."""
    left = Side.load("left", left_file)
    right = Side.load("right", right_file)
    known = (
        [Known(**item) for item in json.loads(known_file.read_text())]
        if known_file
        else []
    )
    found, compared, skipped = compare(
        left,
        right,
        corpus(),
        allow_create=allow_create,
        deadline=deadline,
        echo=click.echo,
    )
    labels = (left.label, right.label)
    unexpected = [d for d in found if not any(k.covers(d) for k in known)]
    for difference in found:
        mark = "known" if difference not in unexpected else "diff"
        click.echo(f"{mark}: {difference.line(labels)}")
    for reason in skipped:
        click.echo(f"skipped: {reason}")
    click.echo(
        f"compare: {compared} probes, {len(found)} differences "
        f"({len(found) - len(unexpected)} known), {len(skipped)} skipped; "
        f"left {left.base_url}, right {right.base_url}"
    )
    if report is not None:
        report.write_text(
            json.dumps([attrs.asdict(d) for d in found], indent=1, ensure_ascii=False)
        )
    sys.exit(1 if unexpected else 0)


if __name__ == "__main__":
    main()
