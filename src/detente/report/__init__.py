"""Reports rendered from analysis results and their witnesses.

Nothing here computes stability: every sentence, table and figure is derived from an
:class:`~detente.stability.result.AnalysisResult` or a
:class:`~detente.stability.result.Verdict`.

* :mod:`detente.report.text`: plain-language explanations (lists of lines, no styling).
"""
