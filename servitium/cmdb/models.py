"""Configuration management (2011 9.1 / 2018 8.2.6): CI types, CIs, relationships."""
