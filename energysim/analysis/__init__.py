"""Running cases and comparing them."""
