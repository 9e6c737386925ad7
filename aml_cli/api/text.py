"""How messages show the values they are about: whole while short, cut when huge.

The services echo a bad value in their validation messages; a 100 MB name
must not come back as a 100 MB message, so past MAX_SHOWN characters only
the start of the value is shown, with its length.
"""

MAX_SHOWN = 4096
HEAD = 256


def cut(text: str, limit: int = MAX_SHOWN) -> str:
    """`text` itself up to `limit` characters; else its first HEAD characters and how long it is."""
    if len(text) <= limit:
        return text
    return f"{text[:min(HEAD, limit)]}... ({len(text)} characters)"
