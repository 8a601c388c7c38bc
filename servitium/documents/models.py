"""Records of documented information."""
