"""The suite reads nothing outside the repository: a plain clone must pass it."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


# The folder beside the repository that a plain clone does not have, spelt so this file does not name it.
SIBLING = "sha" + "red"
MARKERS = (f"/work/{SIBLING}", f"../{SIBLING}", f'"{SIBLING}"', f"'{SIBLING}'", "parents[" + "3]")


def test_no_test_names_a_path_outside_the_repository():
    """Also a string that is just the folder's name: `Path(...) / "<name>"` reads it as surely as a path."""
    offenders = []
    for path in (REPO / "tests").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(REPO)}: {marker}" for marker in MARKERS if marker in text]
    assert offenders == []


def test_the_recorded_vectors_and_skeletons_are_in_the_repository():
    spec = REPO / "tests" / "data" / "spec"
    assert len(list((spec / "skeletons").glob("*.json"))) == 28
    assert len(list((spec / "cleanroomsml" / "skeletons").glob("*.json"))) == 37
    assert len(list((spec / "cleanrooms" / "skeletons").glob("*.json"))) == 6
    assert (spec / "shorthand-vectors.json").stat().st_size > 0
    assert (spec / "output-vectors.json").stat().st_size > 0
