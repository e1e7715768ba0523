"""Pure clinical rules with no I/O: identifiers, demographics and other checks."""
