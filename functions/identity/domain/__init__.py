"""The identity domain's pure rules: one-time codes, refresh-token families, access-token claims. No AWS, no I/O."""
