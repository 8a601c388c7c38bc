"""Improvement.

One register of nonconformities and improvement opportunities from every source (2011 4.5.5; 2018 10).
"""
