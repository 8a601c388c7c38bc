"""Conformity checks of information security."""
