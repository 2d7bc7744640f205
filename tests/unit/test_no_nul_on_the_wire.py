"""No text field a client can send takes a NUL: PostgreSQL cannot store one in text, so an event
carrying it could never be projected, and the schema must say what the server refuses."""

import inspect
import re

import msgspec
import pytest

from negotiation.domain import commands as c
from web import schemas as s

# What the server answers, not what it takes.
ANSWERS = {"Created", "Done", "SignedView", "ReopenView", "PackageCreated", "ErrorView"}
ANSWERS |= {"AccountView", "TokenView", "TokenInfoView"}
WIRE_TYPES = sorted(
    {
        cls
        for module, base in ((c, c.Command), (s, s.Frozen))
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, base) and cls is not base and cls.__name__ not in ANSWERS
    },
    key=lambda t: f"{t.__module__}.{t.__name__}",
)


def _text_types(kind):
    """Every string type a field may hold, looking inside optionals, lists and dicts."""
    if isinstance(kind, msgspec.inspect.StrType):
        yield kind
    elif isinstance(kind, msgspec.inspect.UnionType):
        for member in kind.types:
            yield from _text_types(member)
    elif isinstance(kind, msgspec.inspect.ListType | msgspec.inspect.SetType):
        yield from _text_types(kind.item_type)
    elif isinstance(kind, msgspec.inspect.DictType):
        yield from _text_types(kind.key_type)
        yield from _text_types(kind.value_type)


def test_the_wire_types_are_found():
    # a sample that fails if the discovery above found nothing
    assert {c.TableProposal, c.OpenArticle, s.Login, s.CreateAccount} <= set(WIRE_TYPES)


@pytest.mark.parametrize("wire_type", WIRE_TYPES, ids=lambda t: t.__name__)
def test_no_text_field_takes_a_nul(wire_type):
    # given
    info = msgspec.inspect.type_info(wire_type)
    # when / then
    for field in getattr(info, "fields", ()):
        for text in _text_types(field.type):
            assert text.pattern is not None and re.search(text.pattern, "a\x00b") is None, (
                f"{wire_type.__name__}.{field.name} accepts NUL"
            )
