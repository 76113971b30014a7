"""brief: turns source-verified YAML fact sheets into a briefing site and PDF."""
