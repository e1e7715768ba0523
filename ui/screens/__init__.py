"""One package per screen: a view and its view model; screens never import each other."""
