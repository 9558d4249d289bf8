"""Use cases of onboarding compounds: import, read, and set a compound's contract and free-service period."""
