"""Which route families a run checks: those asked for that the gateway's generation has and
the gateway serves. A family it does not serve is reported, never failed, unless it was asked
for by name (`--families`)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import httpx

from kling_common.families import FAMILIES, Family, family_of, is_not_a_route

from .spec import load_spec

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def families_in(spec: dict[str, Any]) -> tuple[Family, ...]:
    """The families with at least one operation in `spec` (a generation's view of it)."""
    present = {
        family_of(path)
        for path, item in spec["paths"].items()
        if any(method in item for method in _METHODS)
    }
    return tuple(f for f in FAMILIES if f in present)


def query_path(family: Family, spec: dict[str, Any] | None = None) -> str:
    """The family's task query, as the spec writes it (`.../{task_id}`, GET)."""
    paths = (spec or load_spec())["paths"]
    for path, item in paths.items():
        if family_of(path) is family and path.endswith("/{task_id}") and "get" in item:
            return str(path)
    raise LookupError(f"the spec has no task query in family {family}")


def for_families(spec: dict[str, Any], families: Iterable[Family]) -> dict[str, Any]:
    """A copy of the spec without the paths of other families, and without the links that
    led to their operations."""
    keep = frozenset(families)
    spec = copy.deepcopy(spec)
    spec["paths"] = {
        path: item for path, item in spec["paths"].items() if family_of(path) in keep
    }
    operations = {
        operation.get("operationId")
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in _METHODS and isinstance(operation, dict)
    }
    for response in spec["components"].get("responses", {}).values():
        links = response.get("links")
        if not links:
            continue
        for name in [
            n for n, link in links.items() if link.get("operationId") not in operations
        ]:
            del links[name]
    return spec


@attrs.frozen
class NotServed:
    """A family the gateway answers with its not-a-route answer, and the answer that says so."""

    family: Family
    evidence: str

    def line(self) -> str:
        return f"{self.family}: not served ({self.evidence})"


@attrs.frozen
class Families:
    """What a run does with each family: checks it, or reports it not served."""

    checked: tuple[Family, ...]
    not_served: tuple[NotServed, ...] = ()
    # Asked for by name: one of these not served is a failure, not a report.
    explicit: bool = False

    @property
    def failures(self) -> tuple[str, ...]:
        if not self.explicit:
            return ()
        return tuple(
            f"route family {n.family} was asked for with --families, but the gateway does "
            f"not serve it: {n.evidence}"
            for n in self.not_served
        )

    def skip_hint(self) -> str:
        """The option that checks only what is served."""
        return "--families " + ",".join(self.checked)

    def lines(self) -> list[str]:
        lines = [f"families checked: {', '.join(self.checked) or 'none'}"]
        lines += [n.line() for n in self.not_served]
        if self.not_served and not self.explicit:
            lines.append(
                f"  not a failure: a gateway may serve fewer families ({self.skip_hint()} "
                "checks only the served ones and skips these probes)"
            )
        return lines


def _said(answer: httpx.Response) -> str:
    """A not-a-route answer, in a few words."""
    if answer.status_code == 404:
        return "404 Invalid URL, the gateway's answer for what is not a route"
    if answer.status_code == 200:
        return "200 text/html, the dashboard's page for what is not a route"
    where = httpx.URL(answer.headers.get("location", "")).host
    return f"{answer.status_code}, a redirect to the dashboard at {where}"


def probe(
    client: httpx.Client,
    base_url: str,
    task_id: str,
    families: Sequence[Family],
    spec: dict[str, Any],
    headers: Mapping[str, str] | None = None,
) -> Families:
    """Ask each family's task query for `task_id` once; a not-a-route answer means the
    gateway does not serve that family. (Any other answer, a refusal included, is a route's
    answer, for the checks to judge; an unknown id works too: a served family refuses it.)"""
    checked, not_served = [], []
    for family in families:
        path = query_path(family, spec)
        url = base_url + path.replace("{task_id}", task_id)
        answer = client.get(url, headers=headers, follow_redirects=False)
        if is_not_a_route(answer.status_code, answer.headers, answer.content):
            not_served.append(NotServed(family, f"GET {path} answered {_said(answer)}"))
        else:
            checked.append(family)
    return Families(tuple(checked), tuple(not_served))
