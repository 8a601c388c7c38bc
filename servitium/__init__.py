"""Servitium: a service management system for ISO/IEC 20000-1 service providers."""

__version__ = "0.1.0"
