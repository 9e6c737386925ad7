"""The learning engine: pure numpy/pandas/scipy, nothing from the rest of aml_cli.

Data flows as iterators of typed chunks (reader), filtered by a split (split),
summarised by streaming statistics (statistics), then featurised and learned.
"""
