"""Records of risk management."""
