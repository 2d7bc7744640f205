"""Event-sourced union bargaining: domain, application service and storage location."""
