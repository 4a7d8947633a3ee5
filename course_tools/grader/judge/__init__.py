"""The trusted judge: runs the hidden tests in its own process and starts the sandboxed worker."""
