"""The package index as a WSGI application: configuration, routing, authentication and CLI."""
