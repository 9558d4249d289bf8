"""The identity use cases (`signin`), the ports they use (`ports`), the KMS signer, and the wiring to the real
collaborators (`wiring`)."""
