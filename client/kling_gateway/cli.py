"""`kling`: submit, get, wait for and download tasks from the command line.

The token is read from KLING_API_TOKEN only (never an option: it would land in shell
history and process lists). Exit codes: kling_common.exit_codes, shown by `kling --help`.
"""

from __future__ import annotations

import copy
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

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

from kling_common.exit_codes import ExitCode, table

from . import errors
from ._batch_cli import batch as batch_command
from ._client import KlingClient
from ._logs import setup_logging
from ._response import AUTHENTICATION_HINT
from ._routes import Route
from ._settings import ENV_BASE_URL, ENV_TOKEN
from ._task_model import Task
from ._tasks import (
    fail_reason_of,
    is_final,
    is_success,
    progress_of,
    status_of,
    video_urls,
)

FC = TypeVar("FC", bound=Callable[..., Any] | click.Command)
EXIT_OK = ExitCode.OK
EXIT_TASK_FAILED = ExitCode.NO
EXIT_USAGE = ExitCode.USAGE
EXIT_ERROR = ExitCode.GATEWAY
EXIT_TIMEOUT = ExitCode.TIMEOUT
EXIT_TOKEN = ExitCode.TOKEN
EXIT_TASK_NOT_FOUND = ExitCode.TASK_NOT_FOUND
EXIT_NOT_READY = ExitCode.NOT_READY
EXIT_INTERRUPTED = ExitCode.INTERRUPTED


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
        # Said in the command line's terms (the library's own message names arguments),
        # everything missing at once.
        missing = []
        if not (self.base_url or os.environ.get(ENV_BASE_URL, "").strip()):
            missing.append(f"no gateway URL: pass --base-url or set {ENV_BASE_URL}")
        if not os.environ.get(ENV_TOKEN, "").strip():
            missing.append(
                f"no API token: set {ENV_TOKEN} (the token is read from the environment "
                "only, never from an option)"
            )
        if missing:
            raise errors.ConfigurationError("; ".join(missing))
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


def _gateway_words(exc: errors.APIStatusError) -> str:
    """An error answer in the command line's terms: the gateway's text, what it means and
    what to do (a 401's hint names where the CLI reads the token), the status and the id."""
    message = exc.message
    if isinstance(exc, errors.AuthenticationError):
        message = f"{exc.gateway_message} ({AUTHENTICATION_HINT})"
    shown = copy.copy(exc)  # its str() adds the status, code and request id
    shown.message = message
    return str(shown)


@contextmanager
def _errors_to_exit_codes(
    ctx: Context, submitted: list[str] | None = None
) -> Iterator[None]:
    """Each error as one line and its exit code (kling_common.exit_codes). `submitted`
    holds the id of a task this command submitted, once it has one."""
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
    except errors.TaskNotFoundError as exc:
        _fail(ctx, EXIT_TASK_NOT_FOUND, _gateway_words(exc))
    except (errors.AuthenticationError, errors.PermissionDeniedError) as exc:
        _fail(ctx, EXIT_TOKEN, _gateway_words(exc))
    except NotReady as exc:
        _fail(ctx, EXIT_NOT_READY, str(exc))
    except errors.KlingError as exc:
        _fail(ctx, EXIT_ERROR, f"{type(exc).__name__}: {exc}")
    except KeyboardInterrupt:
        # Not 1: that means the task failed, and it may still be running.
        if submitted:
            task_id = submitted[0]
            ctx.err.print(
                f"task {task_id} goes on at the gateway: kling wait {task_id}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        elif submitted is not None:
            ctx.err.print(
                "the submit was under way: a task may have been created, and its id "
                "never arrived",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        _fail(ctx, EXIT_INTERRUPTED, "interrupted")


class NotReady(errors.KlingError):
    """A download asked of a task that is not finished (the CLI's exit 7)."""


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


def _destination_problem(
    output: str, task_id: str | None, index: int, force: bool
) -> str | None:
    """Why the video cannot be saved at `output`, before anything is sent or paid for; None
    when it can. A file there is kept unless `force`: only `<task_id>.mp4` in a folder is
    known to be this task's video (what `kling download` writes there)."""
    path = Path(output).expanduser()
    in_folder = path.is_dir() or output.endswith(("/", os.sep))
    folder = path if in_folder else path.parent
    if not in_folder and path.exists() and not force:
        return f"{output!r} exists: pass --force to overwrite it"
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"cannot save the video to {output!r}: {str(existing)!r} is a file, not a folder"
    # Try it: the folders it needs, and a file in the last one; nothing is left behind.
    created: list[Path] = []
    try:
        for missing in reversed([folder, *folder.parents]):
            if not missing.exists():
                missing.mkdir()
                created.append(missing)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return f"cannot save the video to {output!r}: {exc.strerror or exc}"
    finally:
        for made in reversed(created):
            made.rmdir()
    del task_id, index  # a folder's <task_id>[-index].mp4 is this task's own file
    return None


def _check_destination(
    ctx: Context, output: str, task_id: str | None, index: int, force: bool
) -> None:
    problem = _destination_problem(output, task_id, index, force)
    if problem is not None:
        _fail(ctx, EXIT_USAGE, problem)


def _save(
    ctx: Context,
    client: KlingClient,
    task: Task | str,
    output: str,
    route: Route | None,
    index: int = 0,
    max_bytes: int | None = None,
) -> None:
    """Download a task's video with a live byte count, and say where it went. A task given
    by id is read first: one that is not finished, or failed, is said so (exit 7, 1)."""
    if isinstance(task, str):
        task = client.get(task, route=route)
        if not is_final(task):
            raise NotReady(
                f"task {task.task_id} is not finished ({status_of(task)} "
                f"{task.progress}): kling wait {task.task_id}, then download it"
            )
        if not is_success(task):
            raise errors.TaskFailedError(task, fail_reason_of(task))
    with _download_reporter(ctx) as report:
        path = client.download(
            task,
            output,
            index=index,
            max_bytes=max_bytes,
            route=route or "image2video",
            on_progress=report,
        )
    if ctx.as_json:
        click.echo(
            json.dumps(
                {
                    "task_id": task.task_id,
                    "path": str(path),
                    "bytes": path.stat().st_size,
                }
            )
        )
    else:
        click.echo(f"{path} ({path.stat().st_size} bytes)")


EXIT_TABLE = table(no="the task failed")


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="\b\nExit codes:\n" + EXIT_TABLE,
)
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


# `tasks` is generation C's own view of a task: read, waited for and downloaded, never
# submitted to.
FAMILIES = ("kling", "generations", "videos", "tasks")
SUBMIT_FAMILIES = ("kling", "generations", "videos")
FAMILY_HELP = (
    "The gateway's routes to use: /kling/v1/videos/..., /v1/video/generations, /v1/videos "
    "or generation C's /v1/tasks (a task made on one is read on any)."
)


def _family_option(
    choices: tuple[str, ...], default: str | None, help: str
) -> Callable[[FC], FC]:
    return click.option(
        "--family",
        type=click.Choice(choices),
        default=default,
        show_default=default is not None,
        help=help,
    )


family_option = _family_option(FAMILIES, "kling", FAMILY_HELP)
submit_family_option = _family_option(
    SUBMIT_FAMILIES, "kling", FAMILY_HELP.replace(" or generation C's /v1/tasks", "")
)
# `get` reads the gateway's own status on every generation unless a family is named.
get_family_option = _family_option(
    FAMILIES,
    None,
    FAMILY_HELP
    + " Default: the gateway's own status and reason, on every generation; a family "
    "named is read alone (generation C's Kling routes show Kling's stored answer).",
)


_ROUTE_OF_FAMILY: dict[str, Route] = {
    "generations": "generations",
    "videos": "videos",
    "tasks": "tasks",
}


def _route(family: str, text_to_video: bool) -> Route:
    """The client's route for a family; on the Kling routes the task's kind is the route."""
    return _ROUTE_OF_FAMILY.get(family) or (
        "text2video" if text_to_video else "image2video"
    )


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
@submit_family_option
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
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite the file -o names if it exists (a folder's <task_id>.mp4 always is).",
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
    force: bool,
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
    if output is not None:
        _check_destination(ctx, output, None, 0, force)  # before the task is paid for
    ids: list[str] = []
    with _errors_to_exit_codes(ctx, ids), ctx.client() as client:
        submitted = client.submit(fields, route=route)
        ids.append(submitted.task_id)
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
@click.option(
    "--text",
    "text_to_video",
    is_flag=True,
    help="With --family kling: read the text-to-video route.",
)
@get_family_option
@json_option
@pass_ctx
def get(ctx: Context, task_id: str, text_to_video: bool, family: str | None) -> None:
    """Print a task's status, progress and videos."""
    route = None if family is None else _route(family, text_to_video)
    with _errors_to_exit_codes(ctx), ctx.client() as client:
        ctx.show_task(client.get(task_id, route=route))


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
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite the file -o names if it exists (a folder's <task_id>.mp4 always is).",
)
@get_family_option
@json_option
@pass_ctx
def download(
    ctx: Context,
    task_id: str,
    output: str,
    index: int,
    max_bytes: int | None,
    force: bool,
    family: str | None,
) -> None:
    """Download a finished task's video (through the gateway's /content route when the
    task names no URL)."""
    _check_destination(ctx, output, task_id, index, force)
    route = None if family is None else _route(family, text_to_video=False)
    with _errors_to_exit_codes(ctx), ctx.client() as client:
        _save(ctx, client, task_id, output, route, index=index, max_bytes=max_bytes)
