"""Images given as local data (a Path, bytes, an open file) are sent as Kling takes them,
raw Base64; what Kling would refuse is refused before anything is sent."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest

import kling_gateway as kg
from kling_gateway._flows import Send

from .test_flows import FakeClock, core, drive, response

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0" + b"\x00JFIF" * 100


def sent_body(**fields: Any) -> dict[str, Any]:
    """The JSON body a submit with these fields sends."""
    clock = FakeClock()
    bodies: list[Any] = []

    def answer(send: Send, now: float) -> Any:
        bodies.append(send.json)
        return response(send, 200, {"task_id": "task_img1", "id": "task_img1"})

    drive(core(clock).submit(model="kling-v1", prompt="p", **fields), answer, clock)
    (body,) = bodies
    assert isinstance(body, dict)
    return body


def refused(**fields: Any) -> str:
    """The refusal of a submit with these fields, which must send nothing."""
    clock = FakeClock()

    def answer(send: Send, now: float) -> Any:
        raise AssertionError("a refused image must not be sent")

    with pytest.raises(kg.InvalidRequestError) as caught:
        drive(core(clock).submit(model="kling-v1", prompt="p", **fields), answer, clock)
    return str(caught.value)


def test_a_path_bytes_or_binary_file_is_sent_as_raw_base64(tmp_path: Path) -> None:
    picture = tmp_path / "cat.png"
    picture.write_bytes(PNG)
    expected = base64.b64encode(PNG).decode()
    assert sent_body(image=picture)["image"] == expected
    assert sent_body(image=PNG)["image"] == expected
    assert sent_body(image=bytearray(PNG))["image"] == expected
    assert sent_body(image=io.BytesIO(PNG))["image"] == expected
    with picture.open("rb") as opened:
        assert sent_body(image=opened)["image"] == expected
    tail = sent_body(image=PNG, image_tail=JPEG)
    assert tail["image_tail"] == base64.b64encode(JPEG).decode()
    assert tail["metadata"]["image_tail"] == tail["image_tail"], (
        "Kling-only: both places"
    )


def test_a_url_or_base64_text_is_sent_as_given_and_a_data_url_loses_its_prefix() -> (
    None
):
    assert sent_body(image="https://e.com/a.png")["image"] == "https://e.com/a.png"
    raw = base64.b64encode(PNG).decode()
    assert sent_body(image=raw)["image"] == raw
    assert sent_body(image=f"data:image/png;base64,{raw}")["image"] == raw


def test_an_image_larger_than_kling_takes_is_refused_before_reading_or_sending(
    tmp_path: Path,
) -> None:
    huge = tmp_path / "huge.png"
    with huge.open("wb") as sparse:
        sparse.truncate(11 * 1024 * 1024)  # no 11 MB written: the size alone refuses it
    message = refused(image=huge)
    assert "huge.png" in message and "11.0 MB" in message and "10 MB" in message
    too_much = PNG + bytes(10 * 1024 * 1024)
    assert "at most 10 MB" in refused(image=too_much)
    assert "at most 10 MB" in refused(image=io.BytesIO(too_much))


def test_what_is_not_an_image_kling_takes_is_refused_by_name(tmp_path: Path) -> None:
    assert "not a PNG or JPEG image" in refused(image=b"GIF89a...")
    assert "image_tail" in refused(image=PNG, image_tail=b"RIFF....WEBP")
    missing = tmp_path / "missing.png"
    assert refused(image=missing).startswith(
        f"image file {str(missing)!r} does not exist"
    )
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with text.open() as opened:
        assert "open it with 'rb'" in refused(image=opened)


def test_a_text_naming_a_local_file_is_refused_with_the_way_to_send_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cat.png").write_bytes(PNG)
    monkeypatch.chdir(tmp_path)
    assert "pass Path('cat.png')" in refused(image="cat.png")
    assert refused(image="dog.png").startswith("image file 'dog.png' does not exist")
    assert refused(image_tail="./frames/last").startswith(
        "image_tail file './frames/last' does not exist"
    )
    assert "neither a URL nor raw Base64, nor a local file" in refused(image="a dog")
