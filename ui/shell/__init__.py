"""The shell: the window, its menus and actions, built from the screens' declarations."""
