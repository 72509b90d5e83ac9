"""A document assistant: grounded, cited answers from the documents in its source folder (name and starters are settings)."""

__version__ = "0.1.0"
