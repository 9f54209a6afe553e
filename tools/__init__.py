"""Developer tools that build committed files (not shipped in the service images)."""
