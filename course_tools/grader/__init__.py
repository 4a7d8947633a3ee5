"""``course grade``: the cohort side, the trusted judge, the sandboxed worker and their protocol."""
