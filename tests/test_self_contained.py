"""The suite reads nothing outside the repository: a plain clone must pass it."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_no_test_names_a_path_outside_the_repository():
    offenders = []
    for path in (REPO / "tests").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for marker in ("/work/shared", '"shared" / "spec"', "../shared", "parents[3]"):
            if marker in text and path.name != Path(__file__).name:
                offenders.append(f"{path.relative_to(REPO)}: {marker}")
    assert offenders == []


def test_the_recorded_vectors_and_skeletons_are_in_the_repository():
    spec = REPO / "tests" / "data" / "spec"
    assert len(list((spec / "skeletons").glob("*.json"))) == 28
    assert len(list((spec / "cleanroomsml" / "skeletons").glob("*.json"))) == 37
    assert len(list((spec / "cleanrooms" / "skeletons").glob("*.json"))) == 6
    assert (spec / "shorthand-vectors.json").stat().st_size > 0
    assert (spec / "output-vectors.json").stat().st_size > 0
