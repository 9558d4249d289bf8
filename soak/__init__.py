"""Issue 8, load without loss: a bounded soak in the sandbox, then invariants over everything stored."""
