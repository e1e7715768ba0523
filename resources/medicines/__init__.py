"""The medicines an MSK clinic meets most often, coded by their BNF class."""
