"""aml: Amazon Machine Learning's `aws machinelearning` commands on a local engine."""

__version__ = "0.1.0"
