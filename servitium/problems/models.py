"""Problem management (2011 8.2 / 2018 8.6.3): problems, root causes, known errors."""
