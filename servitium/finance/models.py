"""Records of budgeting and accounting."""
