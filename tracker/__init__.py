"""tracker: a weekly, reproducible measure of the Data Scientist vs ML Engineer pay gap in public job postings."""

__version__ = "0.1.0"
