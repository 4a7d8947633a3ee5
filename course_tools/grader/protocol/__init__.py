"""What crosses between the grader's processes: values and frames (wire, rpc), in-place changes
(mutation), exceptions (errors), the op table (ops) and proxies (proxy), the records (records,
slots) and every limit (limits). Every side imports it; it imports nothing else of the grader."""
