"""Records of capacity and demand."""
