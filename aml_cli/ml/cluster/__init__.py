"""The partition-wise pure functions a Dask cluster runs (the `dask` extra); none imports Dask.

Each takes a `partitions.Task` (or the results of others) and returns plain
values the job's process composes: per-partition statistics that merge
exactly, gzip members of batch-prediction lines, the targets and scores of an
evaluation, the sums of a training pass. The results equal the single-machine
run's where that computation is exact (see the README's section on clusters).
"""
