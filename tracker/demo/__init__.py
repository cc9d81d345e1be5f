"""The offline demo: a deterministic world of postings, a local replay server, and the driver."""

from tracker.demo.run import main, run

__all__ = ["main", "run"]
