"""The macOS app: OneStop MSK.app in a .dmg, signed with a Developer ID and notarised."""
