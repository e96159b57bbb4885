class IngestError(Exception):
    """Input that cannot be imported; the message says why, for the person importing."""
