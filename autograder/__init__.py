"""Autograder for deep-learning TPs."""
__version__ = "0.1.0"
