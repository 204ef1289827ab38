"""Analysis: pure functions over stored evidence (classification, rules, graph, diff).

Entry points: :func:`analyze` (the findings of a stored scan), :func:`reanalyze` (also replaces
them in the store), :data:`RULES` (rule id -> function), and :mod:`leakmap.analysis.graph`.
"""

from leakmap.analysis.engine import AnalysisError, AnalysisResult, analyze, reanalyze, run, save_findings
from leakmap.analysis.rules import RULES

__all__ = ["RULES", "AnalysisError", "AnalysisResult", "analyze", "reanalyze", "run", "save_findings"]
