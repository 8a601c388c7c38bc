"""Records of internal audit."""
