"""Small builders: each ``add_*`` adds resources to a template and returns them."""
