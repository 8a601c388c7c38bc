"""Records of management system."""
