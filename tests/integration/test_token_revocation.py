"""A revoked token stops working on every server at once, not after the token cache expires:
revocations are announced in the revoking transaction and every server forgets at once."""

import uuid

import asyncpg

from negotiation.database import drop_database, ensure_database_exists
from tests.support import wait_until
from web.identity import TOKEN_CACHE_SECONDS, Identity


async def test_a_token_revoked_elsewhere_stops_working_here_at_once(database):
    config = database.with_dbname(f"tokens_{uuid.uuid4().hex[:10]}")
    ensure_database_exists(config)
    pool = await asyncpg.create_pool(**config.asyncpg_kwargs(), min_size=1, max_size=4)
    here = Identity(pool)  # one server...
    elsewhere = Identity(pool)  # ...and another server, or the `revoke-tokens` command
    try:
        await here.create_schema()
        await here.listen_for_revocations(await asyncpg.connect(**config.asyncpg_kwargs()))
        heard: list[str] = []  # what ends that account's live feeds here (hub.end_feeds_of)
        here.on_revoked(heard.append)
        account = await here.create_account(
            username="ana", display_name="Ana Ruiz", password="a long passphrase"
        )
        session = await here.issue_token(account, kind="session")
        api = await here.issue_token(account, kind="api", label="overlay")
        for token in (session.token, api.token):
            assert await here.resolve_token(token) is not None  # now cached here

        await elsewhere.revoke_token(account.account_id, api.token_id)

        async def api_token_refused() -> bool:
            return await here.resolve_token(api.token) is None

        await wait_until(
            api_token_refused, what="the revoked token refused", timeout=TOKEN_CACHE_SECONDS / 5
        )
        assert await here.resolve_token(session.token) is not None  # only that one
        assert heard == [account.account_id]

        await elsewhere.revoke_all_tokens(account.account_id)

        async def session_refused() -> bool:
            return await here.resolve_token(session.token) is None

        await wait_until(
            session_refused, what="the session token refused", timeout=TOKEN_CACHE_SECONDS / 5
        )
    finally:
        await here.close()
        await pool.close()
        drop_database(config)
