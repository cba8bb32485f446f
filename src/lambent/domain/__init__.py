"""Lambda's concepts and rules as pure values and functions (standard library only)."""
