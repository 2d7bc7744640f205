"""A bulletin published in English and Spanish: the page shows the reader's language, and a
bulletin in one text (the old shape of the request) keeps working."""

from tests.support import expect, open_table


async def _publish(http, table, body):
    await expect(
        await http.post(
            f"{table.base}/sessions/{table.session_id}/bulletins",
            headers=table.union.headers,
            json=body,
        ),
        201,
    )


async def test_a_bulletin_in_two_languages_reads_in_the_readers_language(http, people):
    # given
    table = await open_table(http, people)
    await _publish(
        http, table, {"text": "We won smaller classes.", "text_es": "Ganamos clases más pequeñas."}
    )
    page = f"/negotiations/{table.negotiation_id}/sessions/{table.session_id}/bulletins/0"
    # when
    spanish = await http.get(page, params={"lang": "es"})
    english = await http.get(page, params={"lang": "en"})
    # then
    assert "Ganamos clases más pequeñas." in spanish.text
    assert "We won smaller classes." not in spanish.text
    assert "We won smaller classes." in english.text
    published = await expect(
        await http.get(f"{table.base}/sessions/{table.session_id}/bulletins"), 200
    )
    assert published[0]["text_es"] == "Ganamos clases más pequeñas."


async def test_a_bulletin_in_one_text_shows_that_text_in_every_language(http, people):
    # given: the request as it always was
    table = await open_table(http, people)
    await _publish(http, table, {"text": "Only in English."})
    page = f"/negotiations/{table.negotiation_id}/sessions/{table.session_id}/bulletins/0"
    # when
    spanish = await http.get(page, params={"lang": "es"})
    # then
    assert "Only in English." in spanish.text
    published = await expect(
        await http.get(f"{table.base}/sessions/{table.session_id}/bulletins"), 200
    )
    assert published[0]["text_es"] is None
