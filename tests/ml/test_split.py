import json

import numpy as np
import pytest

from aml_cli.ml.split import Rearrangement, RearrangementError, parse_rearrangement, random_percent, selection_mask


def splitting(**members):
    return json.dumps({"splitting": members})


def mask_for(text, total=1000, files=None, lines=None):
    lines = np.arange(1, total + 1) if lines is None else lines
    files = np.zeros(total, dtype=np.int64) if files is None else files
    return selection_mask(parse_rearrangement(text), row_positions=np.arange(total), total_rows=total,
                          file_indexes=files, line_numbers=lines)


def test_the_guides_example_parses_with_defaults_filled_in():
    parsed = parse_rearrangement(splitting(percentBegin=0, percentEnd=70))
    assert parsed == Rearrangement(begin=0.0, end=70.0, complement=False, strategy="sequential", seed="")


def test_no_rearrangement_means_every_row():
    assert parse_rearrangement(None) is None
    assert parse_rearrangement("  ") is None
    assert mask_for(None).all()


def test_complement_and_seed_accept_the_forms_seen_in_the_wild():
    nested = parse_rearrangement(splitting(complement="true", strategy="random", strategyParams={"randomSeed": "s1"}))
    flat = parse_rearrangement(splitting(complement=True, strategy="random", randomSeed="s1"))
    assert nested == flat
    assert nested.complement is True and nested.seed == "s1"


def test_an_empty_splitting_keeps_everything():
    assert mask_for(json.dumps({"splitting": {}})).all()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "DataRearrangement is not valid JSON"),
        ("[]", "must be a JSON object"),
        (json.dumps({"split": {}}), "unknown key(s) 'split'"),
        (splitting(percentBegin=-1), "percentBegin must be a number from 0 to 100, not -1"),
        (splitting(percentEnd=101), "percentEnd must be a number from 0 to 100, not 101"),
        (splitting(percentEnd="most"), 'percentEnd must be a number from 0 to 100, not "most"'),
        (splitting(percentEnd=True), "percentEnd must be a number from 0 to 100, not true"),
        (splitting(percentBegin=80, percentEnd=20), "percentBegin (80) must not be greater than percentEnd (20)"),
        (splitting(strategy="shuffled"), 'strategy must be "sequential" or "random", not "shuffled"'),
        (splitting(complement="yes"), 'complement must be true or false, not "yes"'),
        (splitting(strategyParams={"seed": "1"}), "strategyParams has unknown key(s) 'seed'"),
        (splitting(strategyParams="1"), "strategyParams must be a JSON object"),
        (splitting(randomSeed=[1]), "randomSeed must be a string"),
        (splitting(randomSeed="a", strategyParams={"randomSeed": "b"}), "randomSeed is given both"),
        (splitting(percentage=5), "splitting has unknown key(s) 'percentage'"),
    ],
)
def test_each_fault_is_reported_precisely(text, message):
    with pytest.raises(RearrangementError) as error:
        parse_rearrangement(text)
    assert message in str(error.value)


def test_numeric_strings_are_accepted_as_percentages():
    assert parse_rearrangement(splitting(percentBegin="25", percentEnd="75.5")).end == 75.5


def test_sequential_takes_the_rows_in_order_between_the_percentages():
    mask = mask_for(splitting(percentBegin=20, percentEnd=70), total=10)
    assert mask.tolist() == [False, False, True, True, True, True, True, False, False, False]


@pytest.mark.parametrize("strategy", ["sequential", "random"])
@pytest.mark.parametrize("seed", ["", "1", "k-fold-3", "ünïcode"])
def test_a_70_30_pair_is_disjoint_and_covers_every_row(strategy, seed):
    total = 5003
    files = np.repeat([0, 1, 2], [2000, 2000, 1003])
    lines = np.concatenate([np.arange(2, 2002), np.arange(1, 2001), np.arange(1, 1004)])
    params = {"percentBegin": 0, "percentEnd": 70, "strategy": strategy, "strategyParams": {"randomSeed": seed}}
    train = mask_for(splitting(**params), total, files, lines)
    test = mask_for(splitting(**params, complement=True), total, files, lines)
    assert not (train & test).any()
    assert (train | test).all()
    assert abs(train.mean() - 0.7) < 0.03


@pytest.mark.parametrize("strategy", ["sequential", "random"])
def test_adjacent_ranges_partition_the_rows(strategy):
    ranges = [(0, 25), (25, 50), (50, 75), (75, 100)]
    masks = [mask_for(splitting(percentBegin=b, percentEnd=e, strategy=strategy)) for b, e in ranges]
    assert (np.sum(masks, axis=0) == 1).all()


def test_random_keeps_the_file_order_and_the_same_seed_gives_the_same_rows():
    text = splitting(percentBegin=0, percentEnd=50, strategy="random", randomSeed="abc")
    first, again = mask_for(text), mask_for(text)
    other = mask_for(splitting(percentBegin=0, percentEnd=50, strategy="random", randomSeed="abd"))
    assert (first == again).all()
    assert (first != other).any()
    assert 0.45 < first.mean() < 0.55


def test_random_draws_do_not_depend_on_how_records_are_chunked():
    lines = np.arange(1, 10_001)
    whole = random_percent("seed", 3, lines)
    pieces = np.concatenate([random_percent("seed", 3, part) for part in np.array_split(lines, 7)])
    assert (whole == pieces).all()


def test_random_draws_look_uniform_in_zero_to_a_hundred():
    draws = random_percent("x", np.zeros(200_000, dtype=np.int64), np.arange(200_000))
    assert draws.min() >= 0 and draws.max() < 100
    counts, _ = np.histogram(draws, bins=10, range=(0, 100))
    assert np.all(np.abs(counts - 20_000) < 600)


def test_random_draws_differ_between_files_for_the_same_line():
    lines = np.arange(1, 1001)
    assert (random_percent("s", 0, lines) != random_percent("s", 1, lines)).mean() > 0.99


def test_a_sequential_split_needs_the_total():
    with pytest.raises(ValueError, match="total_rows"):
        selection_mask(parse_rearrangement(splitting(percentEnd=50)), row_positions=np.arange(3), total_rows=None,
                       file_indexes=0, line_numbers=np.arange(3))
