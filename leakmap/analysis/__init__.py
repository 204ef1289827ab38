"""Analysis: pure functions over stored evidence (classification, rules, graph, diff)."""
