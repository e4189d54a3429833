"""The tasks an emulator starts with: one per status for every user, frozen in it, so that
a contract run can always query a task in each state."""

from __future__ import annotations

from functools import partial

from kling_common.generation import Generation

from .config import EmulatorConfig, Lifecycle
from .tasks import PROGRESS, TaskRecord, TaskStore

SEEDED_STATUSES = tuple(PROGRESS)  # one frozen task per gateway status
SEED_DOC_TASK_ID = "842250903629086785"  # the id in the gateway's published example
# Generation C seeds one more task per user: one the gateway failed after 20 failed polls.
GATEWAY_FAILED = "FAILURE_BY_GATEWAY"
GATEWAY_FAILURE = "poll failed: transient (HTTP 503): Task request failed"


def seed_store(store: TaskStore, config: EmulatorConfig) -> dict[int, dict[str, str]]:
    """Add the seeded tasks to `store`; returns their ids, by user and then status."""
    started = store.clock() - 100
    seeded: dict[int, dict[str, str]] = {}
    # A user whose every token stands for an empty purse only shows that refusal.
    users = {
        user
        for token, user in config.tokens.items()
        if token not in config.broke_tokens
    }
    for user in sorted(users):
        seeded[user] = {}
        for index, status in enumerate(SEEDED_STATUSES):
            kling_id = f"8422509036{user:04d}{index:04d}"
            if user == 1 and status == "SUCCESS":
                kling_id = SEED_DOC_TASK_ID
            if config.generation is Generation.A:
                task_id = kling_id
            else:
                task_id = (
                    "task_"
                    + f"seed{status.replace('_', '').lower()}u{user}".ljust(32, "0")
                )
            store.add(
                partial(
                    _seeded_record,
                    config.lifecycle,
                    user,
                    task_id,
                    kling_id,
                    status,
                    started,
                )
            )
            seeded[user][status] = task_id
        if config.generation is Generation.C:
            # A task the gateway failed itself: its Kling routes still show it running.
            task_id = "task_" + f"seedgatewayfailureu{user}".ljust(32, "0")
            store.add(
                partial(
                    _seeded_record,
                    config.lifecycle,
                    user,
                    task_id,
                    f"8422509036{user:04d}9999",
                    "FAILURE",
                    started,
                    failed_by_gateway=GATEWAY_FAILURE,
                )
            )
            seeded[user][GATEWAY_FAILED] = task_id
    return seeded


def _seeded_record(
    lifecycle: Lifecycle,
    user: int,
    task_id: str,
    kling_id: str,
    status: str,
    started: float,
    row: int,
    failed_by_gateway: str = "",
) -> TaskRecord:
    return TaskRecord(
        task_id=task_id,
        kling_id=kling_id,
        user_id=user,
        action="generate",
        model="kling-v1-6",
        prompt="A cat turns its head towards the camera",
        # As a caller who names its tasks gets them back (task_info.external_task_id).
        external_task_id=f"seed-{status.lower()}-u{user}",
        submitted_at=started,
        lifecycle=lifecycle,
        fails=status == "FAILURE",
        row_id=row,
        frozen_status=status,
        failed_by_gateway=failed_by_gateway,
    )
