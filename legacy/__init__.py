"""The legacy request handlers. They speak only to the storage interface."""
