"""`kling`: submit, get, wait for and download tasks from the command line.

The token is read from KLING_API_TOKEN only (never an option: it would land in shell
history and process lists). Exit codes: 0 success, 1 the task failed, 2 usage or
configuration error, 3 gateway or network error, 4 timed out waiting.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from kling_gateway_api.models import Task

from . import errors
from ._batch_cli import batch as batch_command
from ._client import KlingClient
from ._logs import setup_logging
from ._routes import Route
from ._settings import ENV_BASE_URL, ENV_TOKEN
from ._tasks import fail_reason_of, progress_of, status_of, video_urls

EXIT_OK, EXIT_TASK_FAILED, EXIT_USAGE, EXIT_ERROR, EXIT_TIMEOUT = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def _positive_seconds(
    ctx: click.Context, param: click.Parameter, value: float | None
) -> float | None:
    """Seconds that can be waited: finite and above zero (nan passes click's ranges)."""
    if value is not None and not (math.isfinite(value) and value > 0):
        raise click.BadParameter("must be a positive number of seconds")
    return value


class Context:
    def __init__(
        self, base_url: str | None, as_json: bool, request_timeout: float
    ) -> None:
        self.base_url = base_url
        self.as_json = as_json
        self.request_timeout = request_timeout
        self.err = Console(stderr=True)

    def client(self) -> KlingClient:
        # Said in the command line's terms (the library's own message names arguments).
        if not (self.base_url or os.environ.get(ENV_BASE_URL, "").strip()):
            raise errors.ConfigurationError(
                f"no gateway URL: pass --base-url or set {ENV_BASE_URL}"
            )
        if not os.environ.get(ENV_TOKEN, "").strip():
            raise errors.ConfigurationError(
                f"no API token: set {ENV_TOKEN} (the token is read from the environment "
                "only, never from an option)"
            )
        return KlingClient(self.base_url, timeout=self.request_timeout)

    def show_task(self, task: Task) -> None:
        if self.as_json:
            click.echo(json.dumps(task.to_dict(), ensure_ascii=False, indent=2))
            return
        click.echo(f"task {task.task_id}: {status_of(task)} {task.progress}")
        for url in video_urls(task):
            click.echo(f"video: {url}")
        if status_of(task) == "FAILURE":
            click.echo(f"reason: {fail_reason_of(task) or 'no reason given'}")


def _fail(ctx: Context, code: int, message: str) -> None:
    if ctx.as_json:
        click.echo(
            json.dumps({"error": message, "exit_code": code}, ensure_ascii=False)
        )
    else:
        ctx.err.print(
            f"error: {message}", markup=False, highlight=False, soft_wrap=True
        )
    sys.exit(code)


@contextmanager
def _errors_to_exit_codes(ctx: Context) -> Iterator[None]:
    try:
        yield
    except errors.TaskFailedError as exc:
        if not ctx.as_json:
            ctx.show_task(exc.task)
        _fail(ctx, EXIT_TASK_FAILED, str(exc))
    except errors.WaitTimeoutError as exc:
        _fail(ctx, EXIT_TIMEOUT, str(exc))
    except (
        errors.ConfigurationError,
        errors.InvalidTaskIdError,
        errors.InvalidRequestError,
    ) as exc:
        _fail(ctx, EXIT_USAGE, str(exc))
    except errors.KlingError as exc:
        _fail(ctx, EXIT_ERROR, f"{type(exc).__name__}: {exc}")
    except KeyboardInterrupt:
        # Not 1: that means the task failed, and it may still be running.
        _fail(ctx, EXIT_INTERRUPTED, "interrupted")


@contextmanager
def _progress_reporter(ctx: Context) -> Iterator[Callable[[Task], None]]:
    """A live bar on a terminal, one plain line per change otherwise (both on stderr)."""
    if not ctx.err.is_terminal:

        def line(task: Task) -> None:
            click.echo(
                f"task {task.task_id}: {status_of(task)} {task.progress}", err=True
            )

        yield line
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=ctx.err, transient=True) as progress:
        bar = progress.add_task("waiting", total=100)

        def update(task: Task) -> None:
            progress.update(
                bar,
                completed=progress_of(task) or 0,
                description=f"{task.task_id} {status_of(task)}",
            )

        yield update


@contextmanager
def _download_reporter(
    ctx: Context,
) -> Iterator[Callable[[int, int | None], None] | None]:
    """A live byte count on a terminal (stderr); nothing otherwise."""
    if not ctx.err.is_terminal:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
    )
    with Progress(*columns, console=ctx.err, transient=True) as progress:
        bar = progress.add_task("downloading", total=None)

        def update(received: int, total: int | None) -> None:
            progress.update(bar, completed=received, total=total)

        yield update


def _save(
    ctx: Context,
    client: KlingClient,
    task: Task | str,
    output: str,
    route: Route,
    index: int = 0,
    max_bytes: int | None = None,
) -> None:
    """Download a task's video with a live byte count, and say where it went."""
    with _download_reporter(ctx) as report:
        path = client.download(
            task,
            output,
            index=index,
            max_bytes=max_bytes,
            route=route,
            on_progress=report,
        )
    task_id = task if isinstance(task, str) else task.task_id
    if ctx.as_json:
        click.echo(
            json.dumps(
                {"task_id": task_id, "path": str(path), "bytes": path.stat().st_size}
            )
        )
    else:
        click.echo(f"{path} ({path.stat().st_size} bytes)")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--base-url",
    envvar="KLING_BASE_URL",
    help="The gateway (default: $KLING_BASE_URL).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option(
    "--request-timeout",
    type=float,
    default=30.0,
    show_default=True,
    callback=_positive_seconds,
    help="Seconds one HTTP request may take (each read, and the answer in total).",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log retries (-v) and every request (-vv) to stderr; as KLING_LOG=info|debug.",
)
@click.version_option(package_name="kling-gateway")
@click.pass_context
def main(
    click_ctx: click.Context,
    base_url: str | None,
    as_json: bool,
    request_timeout: float,
    verbose: int,
) -> None:
    """Kling video tasks through a new-api gateway. The token comes from $KLING_API_TOKEN."""
    if verbose:
        setup_logging("debug" if verbose > 1 else "info")
    click_ctx.obj = Context(base_url, as_json, request_timeout)


pass_ctx = click.make_pass_decorator(Context)
main.add_command(batch_command)


def _json_here(click_ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        click_ctx.ensure_object(Context).as_json = True


# `--json` works after the subcommand too, as on the group.
json_option = click.option(
    "--json",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_json_here,
    help="Print JSON instead of text.",
)


FAMILIES = ("kling", "generations", "videos")
family_option = click.option(
    "--family",
    type=click.Choice(FAMILIES),
    default="kling",
    show_default=True,
    help="The gateway's routes to use: /kling/v1/videos/..., /v1/video/generations or "
    "/v1/videos (a task made on one is read on any).",
)


def _route(family: str, text_to_video: bool) -> Route:
    """The client's route for a family; on the Kling routes the task's kind is the route."""
    if family == "generations":
        return "generations"
    if family == "videos":
        return "videos"
    return "text2video" if text_to_video else "image2video"


def _wait_and_show(
    ctx: Context,
    client: KlingClient,
    task_id: str,
    route: Route,
    deadline: float,
    interval: float | None,
) -> Task:
    with _progress_reporter(ctx) as report:
        task = client.wait(
            task_id,
            route=route,
            deadline=deadline,
            interval=interval,
            on_progress=report,
        )
    ctx.show_task(task)
    return task


def _local_file_or(value: str) -> str | Path:
    """An image option naming a local file, as a Path (the client sends its content); a URL
    or raw Base64 as given."""
    if "://" not in value and len(value) < 4096:
        path = Path(value).expanduser()
        if path.is_file():
            return path
    return value


@main.command()
@click.option(
    "--image", help="Image URL, raw Base64 or a local JPEG/PNG file (image-to-video)."
)
@click.option("--prompt", required=True)
@click.option("--model", "model_name", default="kling-v1", show_default=True)
@click.option("--duration", type=click.Choice(["5", "10"]), default=None)
@click.option("--mode", type=click.Choice(["std", "pro"]), default=None)
@click.option("--negative-prompt", default=None)
@click.option("--cfg-scale", type=click.FloatRange(0, 1), default=None)
@click.option(
    "--image-tail",
    default=None,
    help="Last frame, as --image (image-to-video).",
)
@click.option(
    "--external-task-id",
    default=None,
    help="Your id for the task; makes the submit safe to retry.",
)
@click.option(
    "--text",
    "text_to_video",
    is_flag=True,
    help="Text-to-video instead of image-to-video.",
)
@family_option
@click.option(
    "--wait", "wait_for_it", is_flag=True, help="Wait until the task is final."
)
@click.option(
    "--deadline",
    type=float,
    default=900.0,
    show_default=True,
    callback=_positive_seconds,
    help="With --wait: seconds to wait in all.",
)
@click.option(
    "--interval",
    type=float,
    default=None,
    callback=_positive_seconds,
    help="With --wait: poll on this interval (growing) instead of in step with the gateway's refresh passes.",
)
@click.option(
    "-o",
    "--output",
    default=None,
    help="With --wait: save the video here too (a file, or a folder for <task_id>.mp4).",
)
@json_option
@pass_ctx
def submit(
    ctx: Context,
    /,
    text_to_video: bool,
    family: str,
    wait_for_it: bool,
    deadline: float,
    interval: float | None,
    output: str | None,
    **options: Any,
) -> None:
    """Submit a task (costs money on a real gateway) and print its id."""
    fields = {k: v for k, v in options.items() if v is not None}
    for name in ("image", "image_tail"):
        if name in fields:
            fields[name] = _local_file_or(fields[name])
    route = _route(family, text_to_video)
    if not text_to_video and "image" not in fields:
        _fail(
            ctx, EXIT_USAGE, "--image is required for image-to-video (or pass --text)"
        )
    if text_to_video and "image" in fields:
        _fail(
            ctx,
            EXIT_USAGE,
            "--text takes no --image (the image would make it image-to-video)",
        )
    if output is not None and not wait_for_it:
        _fail(ctx, EXIT_USAGE, "--output saves the video of a wait: pass --wait too")
    with _errors_to_exit_codes(ctx), ctx.client() as client:
        submitted = client.submit(fields, route=route)
        if wait_for_it:
            # Before waiting: a paid task must never be lost to an interrupt or a timeout.
            click.echo(f"submitted task {submitted.task_id}", err=True)
            if ctx.as_json:
                click.echo(json.dumps({"task_id": submitted.task_id}))
            task = _wait_and_show(
                ctx, client, submitted.task_id, route, deadline, interval
            )
            if output is not None:
                _save(ctx, client, task, output, route)
        elif ctx.as_json:
            click.echo(json.dumps(submitted.to_dict(), ensure_ascii=False, indent=2))
        else:
            click.echo(submitted.task_id)


@main.command()
@click.argument("task_id")
@click.option("--text", "text_to_video", is_flag=True, help="A text-to-video task.")
@family_option
@json_option
@pass_ctx
def get(ctx: Context, task_id: str, text_to_video: bool, family: str) -> None:
    """Print a task's status, progress and videos."""
    with _errors_to_exit_codes(ctx), ctx.client() as client:
        ctx.show_task(client.get(task_id, route=_route(family, text_to_video)))


@main.command()
@click.argument("task_id")
@click.option("--text", "text_to_video", is_flag=True, help="A text-to-video task.")
@click.option(
    "--deadline",
    type=float,
    default=900.0,
    show_default=True,
    callback=_positive_seconds,
    help="Seconds to wait in all.",
)
@click.option(
    "--interval",
    type=float,
    default=None,
    callback=_positive_seconds,
    help="Poll on this interval (growing) instead of in step with the gateway's refresh passes.",
)
@family_option
@json_option
@pass_ctx
def wait(
    ctx: Context,
    task_id: str,
    text_to_video: bool,
    deadline: float,
    interval: float | None,
    family: str,
) -> None:
    """Wait until a task is final; exit 1 if it failed, 4 on timeout."""
    route = _route(family, text_to_video)
    with _errors_to_exit_codes(ctx), ctx.client() as client:
        _wait_and_show(ctx, client, task_id, route, deadline, interval)


@main.command()
@click.argument("task_id")
@click.option(
    "-o", "--output", default=".", show_default=True, help="File or folder to write to."
)
@click.option(
    "--index", type=int, default=0, show_default=True, help="Which video of the task."
)
@click.option(
    "--max-bytes", type=int, default=None, help="Refuse videos larger than this."
)
@family_option
@json_option
@pass_ctx
def download(
    ctx: Context,
    task_id: str,
    output: str,
    index: int,
    max_bytes: int | None,
    family: str,
) -> None:
    """Download a finished task's video (through the gateway's /content route when the
    task names no URL)."""
    with _errors_to_exit_codes(ctx), ctx.client() as client:
        _save(
            ctx,
            client,
            task_id,
            output,
            _route(family, text_to_video=False),
            index=index,
            max_bytes=max_bytes,
        )
