"""The producer's cues for the livestream overlays: take a graphic off air or back on, put a
speaker lower third on air or clear it (teams of either party and the facilitator)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, post
from litestar.status_codes import HTTP_200_OK

from negotiation.application import Negotiations
from negotiation.domain import commands as c
from web import schemas as s
from web.identity import Account


def _done(negotiations: Negotiations, nid: UUID, account: Account, command: c.Command) -> s.Done:
    return s.Done(position=negotiations.execute(nid, account.actor, command).position)


class OverlayCueController(Controller):
    path = "/api/negotiations/{negotiation_id:uuid}"
    tags = ("overlays",)

    @post("/overlays/{graphic:str}/hide", status_code=HTTP_200_OK, sync_to_thread=True)
    def hide(
        self, negotiation_id: UUID, graphic: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        """Take a graphic off air: every open overlay of it turns transparent."""
        command = c.command_of(c.HideOverlayGraphic, {"graphic": graphic})
        return _done(negotiations, negotiation_id, account, command)

    @post("/overlays/{graphic:str}/show", status_code=HTTP_200_OK, sync_to_thread=True)
    def show(
        self, negotiation_id: UUID, graphic: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        """Put a graphic back on air."""
        command = c.command_of(c.ShowOverlayGraphic, {"graphic": graphic})
        return _done(negotiations, negotiation_id, account, command)

    @post("/sessions/{session_id:str}/speaker", status_code=HTTP_200_OK, sync_to_thread=True)
    def take_speaker_to_air(
        self,
        negotiation_id: UUID,
        session_id: str,
        data: c.TakeSpeakerToAirBody,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        """The speaker lower third (name and title) on air while the session runs."""
        command = c.with_ids(c.TakeSpeakerToAir, data, session_id=session_id)
        return _done(negotiations, negotiation_id, account, command)

    @post("/sessions/{session_id:str}/speaker/clear", status_code=HTTP_200_OK, sync_to_thread=True)
    def clear_speaker(
        self, negotiation_id: UUID, session_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        command = c.ClearSpeaker(session_id=session_id)
        return _done(negotiations, negotiation_id, account, command)
