"""CCPT Brief Assistant: grounded, cited answers about JFF's brief on California Career Pathways Trust consortia."""

__version__ = "0.1.0"
