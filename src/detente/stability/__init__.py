"""Solution concepts: one module per concept, and the shared engine."""
