//! Canonical printing: operators lowercase, single spaces, parentheses only where needed.
