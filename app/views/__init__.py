"""The portal's pages and REST API: the top layer (imports everything below, nothing imports it
but the application factory)."""
