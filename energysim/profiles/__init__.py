"""Profiles: reading what analysts have, and making plausible ones where there is none."""
