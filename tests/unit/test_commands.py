"""Commands are declared once: each struct names the aggregate method that decides it, and the
struct, its keyword fields and the wire JSON all reach the same rules."""

import inspect

import msgspec
import pytest

from negotiation.domain import commands as c
from negotiation.domain import errors
from negotiation.domain.negotiation import Negotiation
from tests.unit.builders import EMPLOYER_CHIEF, UNION_CHIEF, at_the_table, refused

# Parts of commands, not commands: bodies completed with URL ids, shared bases, package items.
_PARTS = {c.Command, c.AsReceived, c.SessionCommand, c.PackageItem, c.OpenNegotiation}
COMMANDS = [
    cls
    for _, cls in inspect.getmembers(c, inspect.isclass)
    if issubclass(cls, c.Command) and cls not in _PARTS and not cls.__name__.endswith("Body")
]


def test_there_is_a_command_for_every_act_at_the_table():
    # given / when / then: a sample that would fail if the discovery above found nothing
    assert {c.TableProposal, c.SignTA, c.CallCaucus, c.ConsentToLateArticle} <= set(COMMANDS)
    # 33 acts at the table, card totals (the platform), the vote's two, four overlay cues
    assert len(COMMANDS) == 40


@pytest.mark.parametrize("command_type", COMMANDS, ids=lambda t: t.__name__)
def test_every_command_is_decided_by_the_aggregate_method_named_after_it(command_type):
    # given / when
    method = getattr(Negotiation, command_type.handler, None)
    # then
    assert callable(method), f"Negotiation has no {command_type.handler}()"


@pytest.mark.parametrize("command_type", COMMANDS, ids=lambda t: t.__name__)
def test_every_command_refuses_unknown_fields(command_type):
    # given
    body = b'{"no_such_field": 1}'
    # when / then
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        msgspec.json.decode(body, type=command_type)


def test_a_command_struct_and_its_keyword_fields_reach_the_same_rules():
    # given
    table = at_the_table()
    article_id = table.article("12")
    # when
    by_struct = table.negotiation.execute(
        UNION_CHIEF, c.TableProposal(article_id=article_id, text="Cap at 24.")
    )
    by_fields = table.negotiation.table_proposal(
        EMPLOYER_CHIEF, article_id=article_id, text="Cap at 26.", answers=by_struct
    )
    # then
    article = table.article_state(article_id)
    assert [p.proposal_id for p in article.proposals] == [by_struct, by_fields]
    assert article.proposal(by_fields).answers == by_struct


def test_a_command_decoded_from_the_wire_is_decided_like_any_other():
    # given
    table = at_the_table()
    article_id = table.article("12")
    body = msgspec.json.decode(b'{"text": "Cap at 24."}', type=c.TableProposalBody)
    # when
    proposal_id = table.negotiation.execute(
        UNION_CHIEF, c.with_ids(c.TableProposal, body, article_id=article_id)
    )
    # then
    assert table.proposal_state(article_id, proposal_id).text == "Cap at 24."


def test_keyword_fields_outside_a_commands_bounds_are_refused_in_words():
    # given
    table = at_the_table()
    article_id = table.article("12")
    # when / then
    with refused(table.negotiation, errors.InvalidRequest) as info:
        table.negotiation.table_proposal(UNION_CHIEF, article_id=article_id, text="x" * 200_001)
    assert "TableProposal" in str(info.value)


def test_a_method_given_another_command_is_a_programming_error():
    # given
    table = at_the_table()
    # when / then
    with pytest.raises(TypeError):
        table.negotiation.sign_ta(UNION_CHIEF, c.CallCaucus(session_id=table.session_id))

