"""The sync screen: state and conflicts waiting for a person."""
