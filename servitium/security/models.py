"""Records of information security."""
