"""Read models built from the application's event log: resumable, rebuildable, exactly-once."""
