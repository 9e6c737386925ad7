"""Each transformation on small frames with known outputs; the hashed form against the string form."""

import numpy as np
import pandas as pd
import pytest

from aml_cli.ml import hashing, transforms

NGRAM_TAG = hashing.tag("ngram")
OSB_TAG = hashing.tag("osb")
CROSS_TAG = hashing.tag("cartesian")


def rows_of(series: pd.Series) -> list[list[str]]:
    return [list(group) for _, group in series.groupby(level=0, sort=True)]


def test_lowercase_lowers_and_keeps_missing():
    out = transforms.lowercase(pd.Series(["MiXed Case", None, "ÉTÉ"], dtype=object))
    assert out[0] == "mixed case" and out[2] == "été" and pd.isna(out[1])


def test_no_punct_strips_only_the_edges_of_each_token():
    out = transforms.no_punct(pd.Series(["Hello, world! e-mail (it's) ... a.b."]))
    assert out[0].split() == ["Hello", "world", "e-mail", "it's", "a.b"]


def test_split_punct_makes_every_punctuation_character_a_word_boundary():
    out = transforms.split_punct(pd.Series(["Hello, world! e-mail (it's) ... a.b. https://t.co/x7Gq", None]))
    assert out[0].split() == ["Hello", "world", "e", "mail", "it", "s", "a", "b", "https", "t", "co", "x7Gq"]
    assert pd.isna(out[1])


def test_tokenize_splits_on_any_whitespace_and_skips_missing_rows():
    tokens = transforms.tokenize(pd.Series(["a  b\tc", None, "", "d\ne"], dtype=object))
    assert tokens.tolist() == ["a", "b", "c", "d", "e"]
    assert tokens.index.tolist() == [0, 0, 0, 3, 3]


def test_ngram_of_the_guides_sentence():
    grams = transforms.ngram(pd.Series(["I really enjoyed reading this book"]), 3)
    assert sorted(grams) == sorted([
        "I", "really", "enjoyed", "reading", "this", "book",
        "I really", "really enjoyed", "enjoyed reading", "reading this", "this book",
        "I really enjoyed", "really enjoyed reading", "enjoyed reading this", "reading this book",
    ])


def test_ngram_keeps_punctuation_inside_tokens():
    assert sorted(transforms.ngram(pd.Series(["red, green, blue"]), 2)) == sorted(
        ["red,", "green,", "blue", "red, green,", "green, blue"])


def test_ngram_never_crosses_rows():
    grams = transforms.ngram(pd.Series(["a b", "c"]), 2)
    assert rows_of(grams) == [["a", "b", "a b"], ["c"]]


def test_osb_pairs_the_first_word_with_each_later_word_in_the_window():
    pairs = transforms.osb(pd.Series(["The quick brown fox jumps"]), 4)
    assert sorted(pairs) == sorted([
        "The_quick", "The__brown", "The___fox",
        "quick_brown", "quick__fox", "quick___jumps",
        "brown_fox", "brown__jumps", "fox_jumps",
    ])


def test_osb_window_wider_than_the_text_pairs_everything_once():
    assert sorted(transforms.osb(pd.Series(["a b"]), 10)) == ["a_b"]


def test_cartesian_joins_values_with_an_underscore():
    out = transforms.cartesian(pd.Series(["Romance", "Drama", None]), pd.Series(["1990s", "2000s", "x"]))
    assert out[:2].tolist() == ["Romance_1990s", "Drama_2000s"] and pd.isna(out[2])


def test_quantile_boundaries_read_off_the_grid():
    grid = np.linspace(0.0, 1000.0, 1001)
    assert transforms.fit_quantile_boundaries(grid, 10).tolist() == pytest.approx([100.0 * k for k in range(1, 10)])


def test_quantile_boundaries_collapse_ties_and_survive_an_empty_grid():
    grid = np.concatenate([np.zeros(900), np.linspace(1, 2, 101)])
    assert transforms.fit_quantile_boundaries(grid, 10).tolist()[0] == 0.0
    assert len(transforms.fit_quantile_boundaries(grid, 10)) < 9
    assert transforms.fit_quantile_boundaries([float("nan")] * 3, 10).size == 0


def test_quantile_bin_edges_and_missing_values():
    bins = transforms.quantile_bin(np.array([-5.0, 1.0, 1.5, 2.0, 99.0, np.nan]), np.array([1.0, 2.0]))
    assert bins.tolist() == [0, 1, 1, 2, 2, 3]


def test_normalize_uses_the_statistics_and_zeroes_missing():
    out = transforms.normalize(np.array([1.0, 3.0, np.nan]), mean=2.0, std=0.5)
    assert out.tolist() == [-2.0, 2.0, 0.0]
    assert transforms.normalize(np.array([4.0]), mean=1.0, std=0.0).tolist() == [3.0]


TRICKY = pd.Series(
    ["The quick, brown fox!", None, "  ...  ", 'Hello "World" a.b.', "x", "",
     "tab\tsep\u00a0nbsp\u2003em", "ÉTÉ «quoted» naïve", "row\x01mark inside", "UPPER lower", "a a a",
     "supercalifragilisticexpialidocious, antidisestablishmentarianism!"],
    dtype=object,
)


@pytest.mark.parametrize(("lower", "strip", "split"), [(False, False, False), (True, False, False),
                                                      (False, True, False), (True, True, False), (False, False, True),
                                                      (True, False, True), (True, True, True)])
def test_token_stream_hashes_the_same_tokens_as_the_string_form(lower, strip, split):
    text = TRICKY.str.replace("\x01", " ", regex=False)
    if lower:
        text = transforms.lowercase(text)
    if split:
        text = transforms.split_punct(text)
    if strip:
        text = transforms.no_punct(text)
    expected = transforms.tokenize(text)
    stream = transforms.token_stream(TRICKY, lower=lower, strip_punct=strip, split_punct=split)
    assert stream.rows.tolist() == expected.index.tolist()
    assert stream.hashes.tolist() == hashing.hash_strings(expected.tolist()).tolist()


def test_token_stream_reads_numbers_in_an_object_column_as_text():
    stream = transforms.token_stream(pd.Series(["a", 12, None, 1.5], dtype=object))
    assert stream.rows.tolist() == [0, 1, 3]
    assert stream.hashes.tolist() == hashing.hash_strings(["a", "12", "1.5"]).tolist()


def test_token_stream_of_an_empty_column_is_empty():
    stream = transforms.token_stream(pd.Series([], dtype=object))
    assert len(stream.rows) == 0 and len(stream.hashes) == 0


def fold(parts: list[str]) -> int:
    hashes = hashing.hash_strings(parts)
    value = hashes[0]
    for h in hashes[1:]:
        value = hashing.combine(value, h)
    return int(value)


def stream_pairs(pieces) -> list[tuple[int, int]]:
    return sorted((int(r), int(h)) for piece in pieces for r, h in zip(piece.rows, piece.hashes, strict=True))


def test_ngram_stream_is_the_fold_of_each_string_ngram():
    text = pd.Series(["a b c d", "e", None, "f g"], dtype=object)
    expected = []
    for row, gram in transforms.ngram(text, 3).items():
        words = gram.split(" ")
        value = fold(words)
        if len(words) > 1:
            value = int(hashing.combine(NGRAM_TAG, value))
        expected.append((row, value))
    assert stream_pairs(transforms.ngram_stream(transforms.token_stream(text), 3)) == sorted(expected)


def test_osb_stream_is_the_fold_of_each_string_pair():
    text = pd.Series(["a b c d", "e", "f g"], dtype=object)
    expected = []
    for row, pair in transforms.osb(text, 3).items():
        first, second = pair.split("_")[0], pair.split("_")[-1]
        gap = len(pair) - len(first) - len(second)
        start = hashing.combine(hashing.combine(OSB_TAG, gap), hashing.hash_strings([first])[0])
        expected.append((row, int(hashing.combine(start, hashing.hash_strings([second])[0]))))
    assert stream_pairs(transforms.osb_stream(transforms.token_stream(text), 3)) == sorted(expected)


def test_cross_stream_of_two_texts_pairs_every_token_within_a_row():
    left = transforms.token_stream(pd.Series(["a b", "c", None]))
    right = transforms.token_stream(pd.Series(["x y z", None, "w"]))
    crossed = transforms.cross_stream(left, right)
    assert crossed.rows.tolist() == [0] * 6
    h = dict(zip("abxyz", hashing.hash_strings(list("abxyz")), strict=True))
    expected = [int(hashing.combine(hashing.combine(CROSS_TAG, h[a]), h[b])) for a in "ab" for b in "xyz"]
    assert crossed.hashes.tolist() == expected


def test_cross_stream_of_text_and_a_category_crosses_each_token_with_the_rows_value():
    tokens = transforms.token_stream(pd.Series(["a b", "c"]))
    values = hashing.hash_strings(["P", "Q"])
    crossed = transforms.cross_stream(tokens, values)
    assert crossed.rows.tolist() == [0, 0, 1]
    a, b, c = hashing.hash_strings(["a", "b", "c"])
    assert crossed.hashes.tolist() == [int(hashing.combine(hashing.combine(CROSS_TAG, t), v))
                                       for t, v in ((a, values[0]), (b, values[0]), (c, values[1]))]


def test_string_hashes_are_stable_across_runs():
    # Pinned values: a change here silently breaks every saved model.
    assert hashing.hash_strings(["", "a", "hello world", "ünïcode"]).tolist() == PINNED


PINNED = [5046628401638011252, 8750472210794262577, 8620710247228096534, 1505463647366028445]


def test_strings_sharing_a_long_prefix_hash_apart():
    values = ["abcdefgh", "abcdefgh1", "abcdefghabcdefgh", "abcdefghabcdefgh1", "abcdefghabcdefgh2"]
    assert len(set(hashing.hash_strings(values).tolist())) == len(values)


@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("strip_punct", [False, True])
def test_tokens_read_from_arrow_text_are_the_tokens_of_the_joined_strings(lower, strip_punct):
    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(7)
    words = ["Hello,", "world!", "a", "B.c", "...", "x\ty", "e-mail", "(it's)", "UPPER", "\x01", "  ", "", "z\x1cq"]
    values = [" ".join(rng.choice(words, rng.integers(0, 6))) if rng.random() > 0.1 else None for _ in range(3000)]
    values += ["", " ", "a", None, "trailing ", " leading", "Ünïcode ÉTÉ\u00a0nbsp"]  # the last: the general path
    for rows in (values[:-1], values):
        arrow = transforms.token_stream(pd.Series(rows, dtype="str"), lower=lower, strip_punct=strip_punct)
        objects = transforms.token_stream(pd.Series(rows, dtype=object), lower=lower, strip_punct=strip_punct)
        np.testing.assert_array_equal(arrow.rows, objects.rows)
        np.testing.assert_array_equal(arrow.hashes, objects.hashes)
