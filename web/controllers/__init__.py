"""HTTP controllers: parse, authorize, make one application call, return a view."""
