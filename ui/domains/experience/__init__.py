"""Patient experience: the Friends and Family Test screen and its words."""
