"""Datasets: synthetic series and tasks, toy corpora, and loaders for real data.

Loaders never touch the network or the disk at import time; see ``download.py`` for how
files are fetched, verified, cached and mirrored.
"""
