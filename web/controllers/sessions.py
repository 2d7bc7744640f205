"""Sessions at the table: schedule, open, recess, close, agenda, caucus, attendance, bulletin."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, post, put
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from negotiation.application import Negotiations, Recorded
from negotiation.domain import commands as c
from web import schemas as s
from web.identity import Account

SID = "/{session_id:str}"


def _done(done: Recorded[object]) -> s.Done:
    return s.Done(position=done.position)


class SessionController(Controller):
    path = "/api/negotiations/{negotiation_id:uuid}/sessions"
    tags = ("sessions",)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def schedule(
        self,
        negotiation_id: UUID,
        data: c.ScheduleSession,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        """Chiefs and the facilitator schedule sessions; visibility must fit the ground rules."""
        done = negotiations.execute(negotiation_id, account.actor, data)
        return s.Created(id=done.result, position=done.position)

    @post(SID + "/open", status_code=HTTP_200_OK, sync_to_thread=True)
    def open(
        self, negotiation_id: UUID, session_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        command = c.OpenSession(session_id=session_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @put(SID + "/visibility", status_code=HTTP_200_OK, sync_to_thread=True)
    def change_visibility(
        self,
        negotiation_id: UUID,
        session_id: str,
        data: c.ChangeSessionVisibilityBody,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        """Change who may follow a session (e.g. go into closed session)."""
        command = c.with_ids(c.ChangeSessionVisibility, data, session_id=session_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(SID + "/recess", status_code=HTTP_200_OK, sync_to_thread=True)
    def recess(
        self, negotiation_id: UUID, session_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        command = c.RecessSession(session_id=session_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(SID + "/resume", status_code=HTTP_200_OK, sync_to_thread=True)
    def resume(
        self, negotiation_id: UUID, session_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        command = c.ResumeSession(session_id=session_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(SID + "/close", status_code=HTTP_200_OK, sync_to_thread=True)
    def close(
        self, negotiation_id: UUID, session_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        """Closing a session ends any caucus."""
        command = c.CloseSession(session_id=session_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @put(SID + "/agenda", status_code=HTTP_200_OK, sync_to_thread=True)
    def set_agenda(
        self,
        negotiation_id: UUID,
        session_id: str,
        data: c.SetAgendaBody,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        command = c.with_ids(c.SetAgenda, data, session_id=session_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(SID + "/table", status_code=HTTP_200_OK, sync_to_thread=True)
    def bring_to_table(
        self,
        negotiation_id: UUID,
        session_id: str,
        data: c.BringToTableBody,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        """Bring an article to the table: the focus of discussion (not a lock)."""
        command = c.with_ids(c.BringToTable, data, session_id=session_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(SID + "/caucus", status_code=HTTP_200_OK, sync_to_thread=True)
    def call_caucus(
        self, negotiation_id: UUID, session_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        command = c.CallCaucus(session_id=session_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(SID + "/caucus/end", status_code=HTTP_200_OK, sync_to_thread=True)
    def end_caucus(
        self, negotiation_id: UUID, session_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        command = c.EndCaucus(session_id=session_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(SID + "/attendance", status_code=HTTP_200_OK, sync_to_thread=True)
    def count_attendance(
        self,
        negotiation_id: UUID,
        session_id: str,
        data: c.CountAttendanceBody,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        command = c.with_ids(c.CountAttendance, data, session_id=session_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(SID + "/bulletins", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def publish_bulletin(
        self,
        negotiation_id: UUID,
        session_id: str,
        data: c.PublishBulletinBody,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        command = c.with_ids(c.PublishBulletin, data, session_id=session_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))
