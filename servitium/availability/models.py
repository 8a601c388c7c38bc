"""Records of availability and continuity."""
