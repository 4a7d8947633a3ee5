"""The sandboxed worker: runs a student's cells and serves the judge's requests. Imports only the protocol."""
