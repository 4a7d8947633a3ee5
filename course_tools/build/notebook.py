"""Notebooks as the course writes them: no outputs, kernel ``python3``, no tool metadata, stable
cell ids, so that writing an unchanged notebook again changes no byte. ``course build-source``
(solutions) and ``course build-colab`` (the chapters' Colab notebooks) both write through it.
"""

from __future__ import annotations

import hashlib

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}
CELL_ID_CHARS = 8  # of the sha1 that makes a cell's id from the notebook's name and the cell's position


def normalise(nb: nbformat.NotebookNode, *, name: str) -> nbformat.NotebookNode:
    """Strip outputs and tool metadata; give cells ids derived from ``name`` and position."""
    nb.metadata = nbformat.NotebookNode(kernelspec=dict(KERNELSPEC), language_info=dict(LANGUAGE_INFO))
    for index, cell in enumerate(nb.cells):
        digest = hashlib.sha1(f"{name}:{index}".encode()).hexdigest()[:CELL_ID_CHARS]
        cell.id = f"c{index:02d}-{digest}"
        keep = {k: v for k, v in cell.metadata.items() if k in {"nbgrader", "tags"}}
        cell.metadata = nbformat.NotebookNode(keep)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb
