"""Running ratification votes: the vote event store, the roll and credential store, the service."""
