"""Help topics (`aml help <topic>`): the documents a member's one-line help can only point to.

Our own words, written against what aml's parsers accept (`ml/schema.py`,
`ml/recipe.py`, `ml/split.py`); the tests parse every example here with
those parsers, train a model with them, and compare the transformation table
with the recipe parser's, so a topic cannot promise what the code refuses.
Text is wrapped at 78 columns: headings flush left, the body indented by 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from textwrap import indent, wrap

WIDTH = 78
WINDOWS_HOME = "%LOCALAPPDATA%\\aml\\aml"


@dataclass(frozen=True)
class Topic:
    """One help topic: its word after `aml help`, its line in `aml help`, and its text."""

    name: str
    summary: str
    text: str


@dataclass(frozen=True)
class Transformation:
    """One recipe transformation: its arguments, its number parameter (with the range the parser allows)."""

    name: str
    args: tuple[str, ...]
    param: str | None
    bounds: tuple[int, int] | None
    text: str

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join([*self.args, *([self.param] if self.param else [])])})"


SCHEMA_EXAMPLE = """\
{
  "version": "1.0",
  "rowId": "customer_id",
  "rowWeight": null,
  "targetAttributeName": "churn",
  "dataFormat": "CSV",
  "dataFileContainsHeader": true,
  "attributes": [
    {"attributeName": "customer_id", "attributeType": "CATEGORICAL"},
    {"attributeName": "state", "attributeType": "CATEGORICAL"},
    {"attributeName": "account_length", "attributeType": "NUMERIC"},
    {"attributeName": "total_day_minutes", "attributeType": "NUMERIC"},
    {"attributeName": "international_plan", "attributeType": "BINARY"},
    {"attributeName": "last_message", "attributeType": "TEXT"},
    {"attributeName": "internal_notes", "attributeType": "TEXT"},
    {"attributeName": "churn", "attributeType": "BINARY"}
  ],
  "excludedAttributeNames": ["internal_notes"]
}
"""

RECIPE_EXAMPLE = """\
{
  "groups": {
    "USAGE": "group(account_length, total_day_minutes)"
  },
  "assignments": {
    "message_words": "lowercase(no_punct(last_message))"
  },
  "outputs": [
    "ALL_BINARY",
    "ALL_CATEGORICAL",
    "quantile_bin(USAGE, 20)",
    "normalize(total_day_minutes)",
    "ngram(message_words, 2)",
    "osb(message_words, 4)",
    "cartesian(state, international_plan) // each state with each plan"
  ]
}
"""

# The DataRearrangement examples of the topic: what each selects, and the document.
REARRANGEMENT_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("The first 70% of the records, for training:", '{"splitting": {"percentBegin": 0, "percentEnd": 70}}'),
    ("The last 30%, for evaluation:", '{"splitting": {"percentBegin": 70, "percentEnd": 100}}'),
    (
        "Every record outside the first 25% (the other 75%):",
        '{"splitting": {"percentBegin": 0, "percentEnd": 25, "complement": true}}',
    ),
    (
        "70% of the records drawn at random, the same ones every time for this seed:",
        '{"splitting": {"percentBegin": 0, "percentEnd": 70, "strategy": "random",\n'
        '               "strategyParams": {"randomSeed": "churn-2024"}}}',
    ),
    (
        "Exactly the other 30% of that draw:",
        '{"splitting": {"percentBegin": 0, "percentEnd": 70, "strategy": "random",\n'
        '               "strategyParams": {"randomSeed": "churn-2024"},\n'
        '               "complement": true}}',
    ),
)
REARRANGEMENT_SHORTHAND = (
    "DataLocationS3=churn.csv,DataSchemaLocationS3=churn.schema,"
    "DataRearrangement='{\"splitting\":{\"percentEnd\":70}}'"
)

TRANSFORMATIONS: tuple[Transformation, ...] = (
    Transformation(
        "lowercase", ("x",), None, None,
        "x is TEXT, or CATEGORICAL (an aml addition); the value in lower case, of the same type.",
    ),
    Transformation(
        "no_punct", ("x",), None, None,
        "x is TEXT or CATEGORICAL, as for lowercase; strips ASCII punctuation from the start and end of every "
        "whitespace-separated word (inside a word it stays: don't, e-mail) and drops words left empty.",
    ),
    Transformation(
        "split_punct", ("x",), None, None,
        "an aml addition: x is TEXT; every ASCII punctuation character reads as a space, so it separates words "
        "as well (https://t.co/x7 is the words https, t, co, x7; e-mail is e and mail).",
    ),
    Transformation(
        "ngram", ("text",), "n", (2, 10),
        "text is TEXT (possibly lowercase(...), no_punct(...) or split_punct(...)); every run of 1 to n consecutive "
        "words "
        "becomes a feature: the words, the word pairs, ... up to n words.",
    ),
    Transformation(
        "osb", ("text",), "n", (2, 10),
        "orthogonal sparse bigrams of TEXT in a window of n words: each word paired with each of the "
        "next n-1 words, joined by one _ per step (the_quick, the__brown, the___fox).",
    ),
    Transformation(
        "quantile_bin", ("x",), "n", (5, 1000),
        "x is a NUMERIC variable as read (not a transformed value); n equal-frequency bins fitted on the "
        "training data, each bin a category; a missing value has a bin of its own. Values that repeat "
        "can leave fewer than n bins.",
    ),
    Transformation(
        "normalize", ("x",), None, None,
        "x is a NUMERIC variable as read; (x - mean) / standard deviation of the training data, so it has "
        "zero mean and unit variance; a missing value becomes 0.",
    ),
    Transformation(
        "cartesian", ("a", "b"), None, None,
        "crosses two values per record: CATEGORICAL, BINARY or TEXT variables, or the results of the "
        "transformations above except normalize (bin a NUMERIC first with quantile_bin). Two single "
        "values give one CATEGORICAL value a_b; with text on a side, every pair of words.",
    ),
)


def _wrap(text: str, width: int) -> list[str]:
    return wrap(text, width, break_on_hyphens=False, break_long_words=False)


def _paragraph(text: str, depth: int = 4) -> str:
    return "\n".join(" " * depth + line for line in _wrap(text, WIDTH - depth))


def _item(term: str, text: str, column: int = 28) -> str:
    """A definition: the term at 4, its text at `column` (on the next line when the term is long)."""
    lines = _wrap(text, WIDTH - column)
    head = f"    {term}"
    if len(head) + 2 > column:
        return head + "\n" + indent("\n".join(lines), " " * column)
    return head.ljust(column) + lines[0] + ("\n" + indent("\n".join(lines[1:]), " " * column) if lines[1:] else "")


def _transformations() -> str:
    blocks = []
    for item in TRANSFORMATIONS:
        rule = f" {item.param} is a whole number from {item.bounds[0]} to {item.bounds[1]}." if item.bounds else ""
        blocks.append(f"    {item.signature}\n" + _paragraph(item.text + rule, 8))
    return "\n\n".join(blocks)


def _examples() -> str:
    return "\n\n".join(_paragraph(meaning) + "\n\n" + indent(doc, " " * 4) for meaning, doc in REARRANGEMENT_EXAMPLES)


def _shell_quoted(text: str) -> str:
    """Text as it is written inside double quotes in a POSIX shell."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


SCHEMA_TEXT = f"""\
The data schema

    A schema tells aml how to read the CSV files of a data source: the name
    and type of every column in file order, which column is the target,
    which one names a record, and whether each file starts with a header
    line. Give it inline with DataSchema (a JSON document in a string) or as
    a file with DataSchemaLocationS3 (S3 data sources) or DataSchemaUri (RDS
    and Redshift). Every file of a data source is read with the same schema.

Example

{indent(SCHEMA_EXAMPLE, "    ")}
    Inline, in shorthand (quote the JSON for the shell):

        --data-spec 'DataLocationS3=data.csv,DataSchema={{"version":"1.0",...}}'

    or keep it in a file:

        --data-spec DataLocationS3=data.csv,DataSchemaLocationS3=data.schema

Keys

{_item("version", 'Optional; "1.0", the only version.')}
{_item("targetAttributeName", "The attribute a model learns to predict. Optional, but training and "
       "evaluation need it (batch prediction does not): BINARY models take a BINARY target, MULTICLASS a "
       "CATEGORICAL one (at most 100 classes), REGRESSION a NUMERIC one.")}
{_item("rowId", "Optional; an attribute that names each record. It is never learned from, and batch "
       "predictions copy it into their first column (tag).")}
{_item("rowWeight", "Optional, may be null; a NUMERIC attribute. aml checks it and leaves it out of the "
       "features, but does not weight records by it (the service never documented its effect).")}
{_item("dataFormat", 'Optional; "CSV", the only format.')}
{_item("dataFileContainsHeader", 'Optional, default false; true (or "true") when the first line of '
       "every file is a header line, which is then not a record.")}
{_item("attributes", "Required; one object per column, in the order of the fields in each line, "
       "1 to 1000 of them, names unique: attributeName (a non-empty string) and attributeType.")}
{_item("excludedAttributeNames", "Optional; attributes that are read but never learned from. The target "
       "cannot be excluded.")}

    The target cannot also be the rowId or the rowWeight. Any other key is
    an error. The older spelling of the API's doc strings is accepted too:
    targetFieldName, recordAnnotationFieldName, recordWeightFieldName,
    variables with fieldName/fieldType, excludedVariableNames (one spelling
    of a key per schema). WEIGHTED_INT_SEQUENCE and WEIGHTED_STRING_SEQUENCE
    types are refused: use TEXT.

Attribute types

{_item("NUMERIC", "A number (123, -4.5, 1e3). Text that is not a number, or inf, makes the record "
       "invalid; an empty field or nan is a missing value.")}
{_item("BINARY", "0, n, no, f, false or 1, y, yes, t, true, in any case, with surrounding spaces "
       "ignored; anything else makes the record invalid. Shown as 0 and 1.")}
{_item("CATEGORICAL", "A label taken whole, never split into words: a state, a product code, a "
       "class.")}
{_item("TEXT", "Free text, split into words on whitespace; recipes can lower-case it, strip "
       "punctuation and make word pairs (aml help recipe).")}

Records

    One record per line, fields separated by commas; a field holding a
    comma is double-quoted ("Smith, John"). A record with the wrong number of
    fields, unbalanced quotes, invalid UTF-8 or a NUL byte, or a line over
    100 KB is invalid: it is left out of training and evaluation, and a data
    source fails when more than 10,000 or more than 10% of its records are
    invalid. Blank lines are not records.
"""

RECIPE_TEXT = f"""\
Recipes

    A recipe says which features a model learns from: which attributes,
    and how each is transformed first. Give it to create-ml-model with
    --recipe (the JSON as a string) or --recipe-uri (a file). Without one, aml
    suggests a recipe from the data source's statistics.

Example

    For the schema in `aml help schema`:

{indent(RECIPE_EXAMPLE, "    ")}
The three sections

    A recipe is a JSON object with up to three sections, in this order:

{_item("groups", 'Optional; named sets of variables: NAME: "group(a, b, ...)", where a member may be '
       'another group, or NAME: "group_remove(GROUP, a, ...)", a group without some of its members.')}
{_item("assignments", 'Optional; named expressions: NAME: "<expression>". An assignment may use '
       "variables, groups and other assignments (never in a circle).")}
{_item("outputs", "Required, not empty; a list of expressions. Each one adds the features of its "
       "result; an entry may end in a // comment.")}

    An empty "dependencies" object is also accepted and ignored. The
    variables are the schema's attributes except the target, the rowId, the
    rowWeight and the excluded ones. A group or assignment name is 1 to 64
    characters and starts with a letter; it cannot be a variable's name, a
    predefined group, or both a group and an assignment. A name with other
    characters is written in quotes: 'total (USD)'.

Predefined groups

{_item("ALL_NUMERIC", "every NUMERIC variable")}
{_item("ALL_CATEGORICAL", "every CATEGORICAL variable")}
{_item("ALL_BINARY", "every BINARY variable")}
{_item("ALL_TEXT", "every TEXT variable")}
{_item("ALL_INPUTS", "every variable; in outputs and assignments only, never inside a group")}

Expressions

    An expression is a variable, a group, an assignment, or a transformation
    of them. A transformation of a group applies to each member, so
    quantile_bin(USAGE, 20) above is two outputs; cartesian of two groups
    makes every pair. Transformations nest inside out:
    ngram(lowercase(no_punct(x)), 3). A variable used as it is gives: NUMERIC,
    the value divided by its largest absolute value in the training data;
    CATEGORICAL and BINARY, one feature per value (a missing value is a
    value of its own); TEXT, one feature per word, as written.

Transformations

{_transformations()}

    At most 10,000 output variables, and expressions nest at most 32 deep.

The suggested recipe

    Without --recipe or --recipe-uri: ALL_BINARY and ALL_CATEGORICAL as they
    are; each NUMERIC variable quantile-binned with a bin count chosen from
    its statistics (grouped as NUMERIC_VARS_QB_<n>) and also standardised
    (normalize(ALL_NUMERIC)); TEXT as words and word pairs,
    ngram(lowercase(split_punct(ALL_TEXT)),2).
    `aml get-ml-model --ml-model-id ID --verbose` shows the recipe used.
"""

REARRANGEMENT_TEXT = f"""\
DataRearrangement

    DataRearrangement chooses which records of the data a data source
    keeps, so that one file gives a training and an evaluation data source
    that share no record. It is a JSON document passed as a string; without
    it every record is kept.

Format

    {{"splitting": {{"percentBegin": B, "percentEnd": E, "complement": C,
                   "strategy": "sequential" | "random",
                   "strategyParams": {{"randomSeed": "S"}}}}}}

{_item("percentBegin, percentEnd", "Numbers from 0 to 100, begin not above end; default 0 and "
       "100. A record is kept when its place r satisfies B <= r < E, so 0-70 and 70-100 share no record.")}
{_item("complement", 'true or false (or "true", "false"), default false; true keeps exactly the '
       "records the range leaves out.")}
{_item("strategy", "sequential (the default): r is the record's position in the data, as a "
       "percentage of all records. random: r is a pseudo-random number from 0 to 100 drawn per record "
       "from the seed, the file's place in the location and the record's line number; the file order is "
       "kept.")}
{_item("strategyParams.randomSeed", "Any string, default empty; the same seed on the same data always "
       "gives the same draw. It may also be given directly in splitting (not both).")}

    Only "splitting" may appear at the top, and only these keys inside it.

Examples

{_examples()}

    In --data-spec shorthand the document goes in single quotes, and the
    whole value in double quotes for the shell, the inner ones escaped (one
    line, shown here in two):

    --data-spec "DataLocationS3=churn.csv,DataSchemaLocationS3=churn.schema,
    {_shell_quoted(REARRANGEMENT_SHORTHAND.split(",", 2)[2])}"

    and in --cli-input-json it is a string holding JSON:

    "DataRearrangement": "{{\\"splitting\\": {{\\"percentEnd\\": 70}}}}"
"""

CONFIG_VARS_TEXT = f"""\
Environment variables

    aml reads no configuration file. These variables change what it does:

{_item("AML_HOME", "The data directory: the store (aml.db), artifacts/ and logs/. When unset, the "
       "user data directory platformdirs gives for aml: ~/.local/share/aml on Linux (or "
       "$XDG_DATA_HOME/aml), ~/Library/Application Support/aml on macOS, "
       f"{WINDOWS_HOME} on Windows.")}
{_item("AML_S3_ROOT", "Where s3://bucket/key is read and written: AML_S3_ROOT/bucket/key. "
       "Default: AML_HOME/s3.")}
{_item("AML_SYNC", "1 runs jobs in the calling process (as --sync does) instead of detached workers.")}
{_item("AML_MAX_WORKERS", "How many detached workers run at once; the rest wait PENDING, in order. "
       "Default: the number of cores.")}
{_item("AML_DASK_SCHEDULER", "Run data sources, models, evaluations and batch predictions on a Dask "
       "cluster: tcp://host:8786, or local:N for a cluster of N processes started by the job. Needs "
       "pip install 'aml-cli[dask]'. Unset: this machine, and Dask is never imported.")}
{_item("AML_DASK_PARTITION_BYTES", "The size of the pieces a cluster reads a plain file in. Default: "
       "134217728 (128 MiB).")}
{_item("AML_S3_READ", "fsspec reads s3:// data locations, schemas and recipes from S3 itself (fsspec, "
       "with s3fs or else pyarrow's S3 client; credentials and endpoint from the AWS environment), on "
       "this machine and on a cluster's workers. Outputs are still written under AML_S3_ROOT. Default: "
       "s3:// under AML_S3_ROOT.")}
{_item("AML_IAM_USER", "The CreatedByIamUser of new resources. Default: "
       "arn:aws:iam::000000000000:user/<login>.")}
{_item("AML_WAITER_TIMEOUT", "Seconds before a waiter gives up. Default: 1800 (the service's 60 "
       "checks 30 seconds apart).")}
{_item("AWS_DEFAULT_OUTPUT", "The default of --output (json when unset).")}
{_item("AWS_CLI_ERROR_FORMAT", "The default of --cli-error-format (enhanced when unset).")}
{_item("AWS_PAGER, PAGER", "The pager for output on a terminal, AWS_PAGER first; empty means no "
       "pager. Default: less. --no-cli-pager turns it off for one command.")}
"""

TOPICS: dict[str, Topic] = {
    topic.name: topic
    for topic in (
        Topic("schema", "The data schema: attribute names and types, target, rowId, header.", SCHEMA_TEXT),
        Topic("recipe", "Recipes: groups, assignments, outputs and every transformation.", RECIPE_TEXT),
        Topic("data-rearrangement", "DataRearrangement: splitting a data source, in order or at random.",
              REARRANGEMENT_TEXT),
        Topic("config-vars", "The environment variables aml reads, and where its data lives.", CONFIG_VARS_TEXT),
    )
}
