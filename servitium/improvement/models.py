"""Records of improvement."""
