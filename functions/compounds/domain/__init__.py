"""Pure rules of onboarding compounds: the CSV import (rows, columns, reasons), the datum conversion, the
deterministic keys, and the contract and free-service terms. No AWS, no I/O."""
