"""Sessions at the table: schedule, open, recess, close, agenda, caucus, attendance, bulletin."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, post, put
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from negotiation.application import Negotiations
from web import schemas as s
from web.identity import Account

SID = "/{session_id:str}"


class SessionController(Controller):
    path = "/api/negotiations/{negotiation_id:uuid}/sessions"
    tags = ("sessions",)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def schedule(
        self,
        negotiation_id: UUID,
        data: s.ScheduleSession,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        """Chiefs and the facilitator schedule sessions; visibility must fit the ground rules."""
        session_id = negotiations.schedule_session(
            negotiation_id,
            account.actor,
            title=data.title,
            visibility=data.visibility,
            location=data.location,
            starts_at=data.starts_at,
            capacity=data.capacity,
            livestream_url=data.livestream_url,
            languages=tuple(data.languages),
        )
        return s.Created(id=session_id)

    @post(SID + "/open", status_code=HTTP_200_OK, sync_to_thread=True)
    def open(
        self, negotiation_id: UUID, session_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        negotiations.open_session(negotiation_id, account.actor, session_id=session_id)
        return s.Done()

    @put(SID + "/visibility", status_code=HTTP_200_OK, sync_to_thread=True)
    def change_visibility(
        self,
        negotiation_id: UUID,
        session_id: str,
        data: s.ChangeSessionVisibility,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        """Change who may follow a session (e.g. go into closed session)."""
        negotiations.change_session_visibility(
            negotiation_id, account.actor, session_id=session_id, visibility=data.visibility
        )
        return s.Done()

    @post(SID + "/recess", status_code=HTTP_200_OK, sync_to_thread=True)
    def recess(
        self, negotiation_id: UUID, session_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        negotiations.recess_session(negotiation_id, account.actor, session_id=session_id)
        return s.Done()

    @post(SID + "/resume", status_code=HTTP_200_OK, sync_to_thread=True)
    def resume(
        self, negotiation_id: UUID, session_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        negotiations.resume_session(negotiation_id, account.actor, session_id=session_id)
        return s.Done()

    @post(SID + "/close", status_code=HTTP_200_OK, sync_to_thread=True)
    def close(
        self, negotiation_id: UUID, session_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        """Closing a session ends any caucus."""
        negotiations.close_session(negotiation_id, account.actor, session_id=session_id)
        return s.Done()

    @put(SID + "/agenda", status_code=HTTP_200_OK, sync_to_thread=True)
    def set_agenda(
        self,
        negotiation_id: UUID,
        session_id: str,
        data: s.SetAgenda,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        negotiations.set_agenda(
            negotiation_id, account.actor, session_id=session_id, article_ids=data.article_ids
        )
        return s.Done()

    @post(SID + "/table", status_code=HTTP_200_OK, sync_to_thread=True)
    def bring_to_table(
        self,
        negotiation_id: UUID,
        session_id: str,
        data: s.BringToTable,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        """Bring an article to the table: the focus of discussion (not a lock)."""
        negotiations.bring_to_table(
            negotiation_id, account.actor, session_id=session_id, article_id=data.article_id
        )
        return s.Done()

    @post(SID + "/caucus", status_code=HTTP_200_OK, sync_to_thread=True)
    def call_caucus(
        self, negotiation_id: UUID, session_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        negotiations.call_caucus(negotiation_id, account.actor, session_id=session_id)
        return s.Done()

    @post(SID + "/caucus/end", status_code=HTTP_200_OK, sync_to_thread=True)
    def end_caucus(
        self, negotiation_id: UUID, session_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        negotiations.end_caucus(negotiation_id, account.actor, session_id=session_id)
        return s.Done()

    @post(SID + "/attendance", status_code=HTTP_200_OK, sync_to_thread=True)
    def count_attendance(
        self,
        negotiation_id: UUID,
        session_id: str,
        data: s.CountAttendance,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        negotiations.count_attendance(
            negotiation_id, account.actor, session_id=session_id, count=data.count
        )
        return s.Done()

    @post(SID + "/bulletins", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def publish_bulletin(
        self,
        negotiation_id: UUID,
        session_id: str,
        data: s.PublishBulletin,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        negotiations.publish_bulletin(
            negotiation_id, account.actor, session_id=session_id, text=data.text
        )
        return s.Done()
