"""The instructor's side: LMS intake, notebook intake, the cohort run, shard merging, feedback pages."""
