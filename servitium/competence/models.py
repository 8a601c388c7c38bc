"""Records of resources and competence."""
