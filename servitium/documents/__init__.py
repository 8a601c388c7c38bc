"""Documented information.

Documents with versions and approval, records register, retention and disposal (2011 4.3; 2018 7.5).
"""
