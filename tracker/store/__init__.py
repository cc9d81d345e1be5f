"""Storage: models, engine and sessions, the repository (all SQL lives here), views and migrations glue."""
