"""API keys: who a caller is (tenant and role), never stored in plaintext."""
