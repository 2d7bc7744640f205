"""The web edge: Litestar JSON API, authentication, pages and static assets."""
