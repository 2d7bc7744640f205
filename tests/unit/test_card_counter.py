"""The card counter: one card per holder, throttled changes, cards that drop when their holder
goes, and other nodes' counts summed until those nodes go silent."""

from realtime.cards import CHANGE_INTERVAL, NODE_EXPIRY, CardCounter, Topic, until_next_beat

NEGOTIATION = "n-1"
TOPIC = Topic("s-1", 1, "a-12")
NEXT = Topic("s-1", 2, "a-14")


def _counter(node_id="here"):
    counter = CardCounter(node_id)
    counter.set_topic(NEGOTIATION, TOPIC)
    return counter


def _counts(counter):
    totals = counter.totals(NEGOTIATION)
    return (totals.red, totals.green) if totals else None


def test_a_holder_holds_one_card_at_a_time():
    # given
    counter = _counter()
    counter.connect(NEGOTIATION, "viewer:a")
    # when
    counter.hold(NEGOTIATION, "viewer:a", "red", now=0.0)
    counter.hold(NEGOTIATION, "viewer:a", "green", now=1.0)
    # then
    assert _counts(counter) == (0, 1)


def test_two_tabs_of_one_holder_are_one_card():
    # given: the same account connected twice
    counter = _counter()
    counter.connect(NEGOTIATION, "account:m")
    counter.connect(NEGOTIATION, "account:m")
    # when
    counter.hold(NEGOTIATION, "account:m", "green", now=0.0)
    counter.hold(NEGOTIATION, "account:m", "green", now=1.0)
    counter.disconnect(NEGOTIATION, "account:m")  # one tab closed
    # then
    assert _counts(counter) == (0, 1)


def test_fast_toggling_is_throttled_and_only_the_latest_counts():
    # given
    counter = _counter()
    counter.connect(NEGOTIATION, "viewer:a")
    counter.hold(NEGOTIATION, "viewer:a", "red", now=0.0)
    # when: three changes inside one interval
    counter.hold(NEGOTIATION, "viewer:a", "green", now=0.01)
    counter.hold(NEGOTIATION, "viewer:a", None, now=0.02)
    counter.hold(NEGOTIATION, "viewer:a", "green", now=0.03)
    # then: held back until its turn, then counted once
    assert _counts(counter) == (1, 0)
    counter.tick(now=CHANGE_INTERVAL)
    assert _counts(counter) == (0, 1)


def test_a_disconnected_holders_card_drops_out():
    # given
    counter = _counter()
    counter.connect(NEGOTIATION, "viewer:a")
    counter.connect(NEGOTIATION, "viewer:b")
    counter.hold(NEGOTIATION, "viewer:a", "red", now=0.0)
    counter.hold(NEGOTIATION, "viewer:b", "red", now=0.0)
    # when
    counter.disconnect(NEGOTIATION, "viewer:a")
    # then
    assert _counts(counter) == (1, 0)


def test_a_card_without_a_connection_or_an_article_on_the_table_is_not_counted():
    # given
    counter = CardCounter("here")
    counter.connect(NEGOTIATION, "viewer:a")
    # when: nothing on the table; then a holder that never connected
    counter.hold(NEGOTIATION, "viewer:a", "red", now=0.0)
    counter.set_topic(NEGOTIATION, TOPIC)
    counter.hold(NEGOTIATION, "viewer:ghost", "red", now=1.0)
    # then
    assert _counts(counter) == (0, 0)


def test_other_nodes_counts_are_summed_until_the_node_goes_silent():
    # given: two nodes
    here, there = _counter("here"), _counter("there")
    for n in range(3):
        there.connect(NEGOTIATION, f"viewer:{n}")
        there.hold(NEGOTIATION, f"viewer:{n}", "green", now=0.0)
    here.connect(NEGOTIATION, "viewer:x")
    here.hold(NEGOTIATION, "viewer:x", "red", now=0.0)
    # when
    here.take(there.state_message(NEGOTIATION), now=0.0)
    # then
    assert _counts(here) == (1, 3)
    here.tick(now=NODE_EXPIRY - 0.1)
    assert _counts(here) == (1, 3)
    here.tick(now=NODE_EXPIRY + 0.1)  # "there" died: its cards drop
    assert _counts(here) == (1, 0)


def test_a_heartbeat_without_a_negotiation_drops_that_nodes_stale_counts():
    # given: "there" told us 3 green, then its "now zero" message was lost
    here, there = _counter("here"), _counter("there")
    there.connect(NEGOTIATION, "viewer:a")
    there.hold(NEGOTIATION, "viewer:a", "green", now=0.0)
    here.take(there.state_message(NEGOTIATION), now=0.0)
    there.disconnect(NEGOTIATION, "viewer:a")
    # when
    for message in there.alive_messages():
        here.take(message, now=1.0)
    # then
    assert _counts(here) == (0, 0)


def test_counts_for_another_turn_are_not_summed():
    # given: "there" still counts the previous article
    here, there = _counter("here"), _counter("there")
    there.connect(NEGOTIATION, "viewer:a")
    there.hold(NEGOTIATION, "viewer:a", "green", now=0.0)
    here.set_topic(NEGOTIATION, NEXT)
    # when
    here.take(there.state_message(NEGOTIATION), now=0.0)
    # then
    assert _counts(here) == (0, 0)


def test_leaving_the_table_closes_the_totals_with_their_peaks_and_lowers_every_card():
    # given: two greens at once, then one put down
    counter = _counter()
    for holder in ("viewer:a", "viewer:b"):
        counter.connect(NEGOTIATION, holder)
        counter.hold(NEGOTIATION, holder, "green", now=0.0)
    counter.tick(now=0.1)
    counter.hold(NEGOTIATION, "viewer:a", "red", now=1.0)
    # when
    closed = counter.set_topic(NEGOTIATION, NEXT)
    # then
    assert (closed.red, closed.green, closed.peak_red, closed.peak_green) == (1, 1, 1, 2)
    assert closed.topic == TOPIC
    assert _counts(counter) == (0, 0)


def test_a_turn_without_any_card_closes_with_nothing_to_record():
    # given
    counter = _counter()
    counter.connect(NEGOTIATION, "viewer:a")
    # when / then
    assert counter.set_topic(NEGOTIATION, NEXT) is None


def test_messages_between_nodes_never_name_a_holder():
    # given
    counter = _counter()
    counter.connect(NEGOTIATION, "viewer:secret-browser")
    counter.hold(NEGOTIATION, "viewer:secret-browser", "red", now=0.0)
    # when
    messages = [counter.state_message(NEGOTIATION), *counter.alive_messages()]
    # then
    assert not any("secret-browser" in m for m in messages)


def test_every_node_beats_at_the_same_moments_of_the_wall_clock():
    # given: two nodes whose ticks started at different moments
    started = [1000.07, 1000.19]
    # when: each waits for its next beat
    beats = [t + until_next_beat(t, 0.25) for t in started]
    # then: both beat together, on a multiple of the interval (and never beat twice at once)
    assert [round(b, 9) for b in beats] == [1000.25, 1000.25]
    assert round(until_next_beat(1000.25, 0.25), 9) == 0.25


def test_a_peak_reached_only_through_another_nodes_message_is_kept_without_a_tick():
    # given: another node reports three greens, then (before this node's next beat: a busy
    # server's ticks can be late) only one; the meter may have shown the three meanwhile
    here, there = _counter("here"), _counter("there")
    for n in range(3):
        there.connect(NEGOTIATION, f"viewer:{n}")
        there.hold(NEGOTIATION, f"viewer:{n}", "green", now=0.0)
    here.take(there.state_message(NEGOTIATION), now=0.0)
    for n in range(2):
        there.disconnect(NEGOTIATION, f"viewer:{n}")
    here.take(there.state_message(NEGOTIATION), now=0.1)
    # when the article leaves the table
    closed = here.set_topic(NEGOTIATION, NEXT)
    # then the three greens are its peak
    assert (closed.green, closed.peak_green) == (1, 3)
