class FacepackError(Exception):
    """A problem the user can fix, said in one line; the CLI prints it without a traceback."""
