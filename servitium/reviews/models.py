"""Records of management review."""
