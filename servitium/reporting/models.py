"""Records of service reporting."""
