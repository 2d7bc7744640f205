"""Live feeds: one hub per process fans changes out to websocket subscribers by audience."""
