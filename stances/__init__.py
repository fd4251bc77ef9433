"""stances: a static explainer site generator with every statement footnoted to its source."""

__version__ = "0.1.0"
