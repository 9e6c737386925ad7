"""A document given inline or by location (DataSchema/DataSchemaLocationS3, DataSchema/DataSchemaUri,
Recipe/RecipeUri): one rule for the three pairs the API has."""

from __future__ import annotations

from aml_cli.api.errors import InvalidInputException


def inline_or_location(holder: dict, inline: str, location: str, s3_root, *, required: bool = False,
                       blank_counts: bool = False, s3_fsspec: bool = False) -> str | None:
    """The document's text: inline, or read from its location; never both, and present when `required`.

    `blank_counts`: an empty inline text is given (a Recipe of "" is a recipe, and a bad one), not absent.
    """
    from aml_cli.service.locations import read_text_file

    def given(name: str) -> bool:
        value = holder.get(name)
        return value is not None and (blank_counts or value != "")

    if given(inline) and given(location):
        raise InvalidInputException(f"Give either {inline} or {location}, not both.")
    if given(location):
        return read_text_file(holder[location], location, s3_root, s3_fsspec=s3_fsspec)
    if given(inline):
        return holder[inline]
    if required:
        raise InvalidInputException(f"A data schema is required: give {inline} or {location}.")
    return None
