"""The feed's frames: server messages keep their wire form (type first), and client messages
are decoded into the union or refused with a close code and a reason."""

import msgspec
import pytest

from realtime import frames


def test_server_frames_say_their_type_first_and_nothing_more():
    change = frames.Change(position=7, set={"negotiation": msgspec.Raw(b'{"a":1}')}, remove=["x"])
    assert frames.encode(change) == (
        '{"type":"change","position":7,"set":{"negotiation":{"a":1}},"remove":["x"]}'
    )
    assert frames.encode(frames.Heartbeat(position=3)) == '{"type":"heartbeat","position":3}'
    assert frames.RESYNC == '{"type":"resync"}'
    snapshot = frames.Snapshot(position=2, parts={})
    assert frames.encode(snapshot) == '{"type":"snapshot","position":2,"parts":{}}'


@pytest.mark.parametrize("card", ["red", "green", None])
def test_a_card_is_decoded(card):
    message = frames.decode_client_message(
        msgspec.json.encode({"type": "card", "card": card}).decode(), None
    )
    assert message == frames.Card(card=card)


@pytest.mark.parametrize(
    ("text", "data", "code"),
    [
        (None, b"\x00", frames.UNSUPPORTED_DATA),
        ('{"type":"card","card":"red","pad":"' + "x" * 1024 + '"}', None, frames.MESSAGE_TOO_BIG),
        ("{", None, frames.POLICY_VIOLATION),
        ('{"type":7}', None, frames.POLICY_VIOLATION),
        ('{"card":"red"}', None, frames.POLICY_VIOLATION),
        ('{"type":"cards","card":"red"}', None, frames.POLICY_VIOLATION),
        ('{"type":"card","card":"RED"}', None, frames.POLICY_VIOLATION),
        ('{"type":"card"}', None, frames.POLICY_VIOLATION),
    ],
)
def test_anything_else_is_refused_with_a_code_and_a_reason(text, data, code):
    with pytest.raises(frames.MessageRefused) as refused:
        frames.decode_client_message(text, data)
    assert refused.value.code == code
    assert refused.value.reason.endswith(".") and len(refused.value.reason.encode()) <= 123
