"""Build tools: authoring scripts → solutions/, the release, Colab notebooks, the book cache."""
