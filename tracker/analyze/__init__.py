"""Weekly statistics: pure functions over plain rows and arrays (no database, no I/O but package data).

Modules:
    weeks     ISO week labels and their bounds in a timezone
    pay       pay summaries, the DS-vs-MLE gap (bootstrap, Welch, composition-adjusted OLS), the trend
    volume    counts and their changes (W-1, trailing mean), the MLE/DS ratio
    skills    top skills by share, distinctive skills (Monroe et al. 2008), share movers
    framing   masculine- and feminine-coded words per 1,000 words (Gaucher, Friesen & Kay 2011)
    weekly    the report payload assembled from fetched rows (small-sample rules live here)
"""
