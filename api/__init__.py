"""HTTP API for guideqa (see issue 3)."""
