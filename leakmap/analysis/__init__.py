"""Analysis: pure functions over stored evidence (classification, rules, graph, diff).

Entry points: :func:`run` (the findings of a stored scan), :func:`reanalyze` (also replaces
them in the store), :func:`leakmap.analysis.audit.audit` (everything a report shows of a scan),
:data:`RULES` (rule id -> function), and :mod:`leakmap.analysis.graph`.
"""

from leakmap.analysis.engine import AnalysisError, AnalysisResult, reanalyze, run, save_findings
from leakmap.analysis.rules import RULES

__all__ = ["RULES", "AnalysisError", "AnalysisResult", "reanalyze", "run", "save_findings"]
