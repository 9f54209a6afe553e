"""What every service process shares: logging, the probe server, signal handling."""
