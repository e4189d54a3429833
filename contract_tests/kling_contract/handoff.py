"""What the runner hands to the schemathesis process, and how the checks there read it.

The environment is the only channel into that process, so both sides live here: the
runner writes `HandOff.to_env()`, each check reads `HandOff.from_env()`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import attrs

from kling_common.families import FAMILIES, Family, parse_families

TOKEN = "KLING_API_TOKEN"
TASK_IDS = "KLING_CONTRACT_TASK_IDS"
PROBE_TASK_ID = "KLING_CONTRACT_PROBE_TASK_ID"
OTHER_TOKEN = "KLING_OTHER_TOKEN"
SHAPES_LOG = "KLING_CONTRACT_SHAPES"
MAX_TASKS = "KLING_CONTRACT_MAX_TASKS"
GENERATION = "KLING_CONTRACT_GENERATION"
FAMILIES_CHECKED = "KLING_CONTRACT_FAMILIES"
SPEC = "KLING_CONTRACT_SPEC"


@attrs.frozen
class HandOff:
    token: str = ""
    # The tasks the run was given: they must be found.
    task_ids: frozenset[str] = frozenset()
    # Without permission to change state, methods the spec does not list go only here.
    probe_task_id: str | None = None
    # A second user's token: the isolation check asks for every readable task with it.
    other_token: str | None = None
    # Where record_answer_shapes appends each answer's shape, for the drift report.
    shapes_log: str | None = None
    # At most this many submits answered 200 (tasks created, and billed); None: no bound.
    max_tasks: int | None = None
    # The target's generation ("A", "B", "C"), as the runner learnt it; "" when unknown.
    generation: str = ""
    # The route families the run checks (the others are not served, or not asked for).
    families: tuple[Family, ...] = FAMILIES
    # The spec as the runner derived it for the target (its generation and families): the
    # checks judge by the same file schemathesis runs, not by a second derivation.
    spec_path: str | None = None

    def to_env(self) -> dict[str, str]:
        env = {
            TOKEN: self.token,
            TASK_IDS: ",".join(sorted(self.task_ids)),
            FAMILIES_CHECKED: ",".join(self.families),
        }
        for name, value in (
            (PROBE_TASK_ID, self.probe_task_id),
            (OTHER_TOKEN, self.other_token),
            (SHAPES_LOG, self.shapes_log),
            (GENERATION, self.generation),
            (SPEC, self.spec_path),
        ):
            if value:
                env[name] = value
        if self.max_tasks is not None:
            env[MAX_TASKS] = str(self.max_tasks)
        return env

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HandOff:
        env = os.environ if env is None else env
        return cls(
            token=env.get(TOKEN, ""),
            task_ids=frozenset(t for t in env.get(TASK_IDS, "").split(",") if t),
            probe_task_id=env.get(PROBE_TASK_ID) or None,
            other_token=env.get(OTHER_TOKEN) or None,
            shapes_log=env.get(SHAPES_LOG) or None,
            max_tasks=int(env[MAX_TASKS]) if env.get(MAX_TASKS) else None,
            generation=env.get(GENERATION, ""),
            spec_path=env.get(SPEC) or None,
            families=parse_families(env[FAMILIES_CHECKED])
            if env.get(FAMILIES_CHECKED)
            else FAMILIES,
        )
