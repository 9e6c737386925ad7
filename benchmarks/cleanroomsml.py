"""What Clean Rooms ML's path costs beside Amazon ML's on the same rows, in one run (the anchor in the same run).

    python benchmarks/cleanroomsml.py [--rows 200000] [--passes 10]

Times, in-process with jobs inline: the data source (the anchor's input), the ML
input channel's SQL over it (SQLite load, query, CSV result), create-ml-model on
the data source, create-trained-model on the channel (statistics of the channel
plus the same trainer), and an inference job beside a batch prediction of the
same rows. Peak RSS is that of the whole process. The weights of the two models
are compared (they must be identical).
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rows(path: Path, count: int) -> None:
    rng = random.Random(1)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "x1", "x2", "color", "y"])
        for i in range(count):
            x1, x2, color = rng.gauss(0, 1), rng.gauss(0, 1), rng.choice(("red", "green", "blue"))
            writer.writerow([i, round(x1, 4), round(x2, 4), color,
                             int(x1 + 0.5 * x2 + (color == "red") + rng.gauss(0, 0.5) > 0.5)])


def _timed(label: str, results: list, action):
    started = time.perf_counter()
    value = action()
    results.append((label, time.perf_counter() - started))
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--passes", type=int, default=10)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import os

    folder = Path(tempfile.mkdtemp(prefix="aml-crml-bench-"))
    os.environ["AML_HOME"] = str(folder / "home")
    from aml_cli.service.context import RequestContext, use_default

    use_default(RequestContext(synchronous=True))
    from aml_cli.store import Store
    from tests.service.cleanroomsml import support

    store, data = Store(folder / "home", s3_root=folder / "s3"), folder / "rows.csv"
    _rows(data, args.rows)
    results: list[tuple[str, float]] = []
    call = support.call
    _timed("data source (read + statistics)", results, lambda: call("CreateDataSourceFromS3", {
        "DataSourceId": "ds-1", "ComputeStatistics": True,
        "DataSpec": {"DataLocationS3": str(data), "DataSchema": support.schema_text()}}, store))
    member = support.membership(store)
    linked = support.association(store, member)
    channel = _timed('ML input channel (SELECT * FROM "ds-1")', results,
                     lambda: support.channel(store, member, linked))
    params = {"sgd.maxPasses": str(args.passes)}
    _timed("create-ml-model on the data source", results, lambda: call("CreateMLModel", {
        "MLModelId": "m", "MLModelType": "BINARY", "TrainingDataSourceId": "ds-1", "Parameters": params}, store))
    created = _timed("create-trained-model on the channel", results, lambda: support.trained_model(
        store, member, linked, {"train": channel}, params=support.hyperparameters(**params)))
    _timed("batch prediction of the ML model", results, lambda: call("CreateBatchPrediction", {
        "BatchPredictionId": "b", "MLModelId": "m", "BatchPredictionDataSourceId": "ds-1",
        "OutputUri": str(folder / "batch")}, store))
    support.ml("PutMLConfiguration", {"membershipIdentifier": member["id"], "defaultOutputLocation": {
        "destination": {"s3Destination": {"s3Uri": str(folder / "out")}}, "roleArn": support.ROLE}}, store)
    _timed("inference job of the trained model", results, lambda: support.ml("StartTrainedModelInferenceJob", {
        "membershipIdentifier": member["id"], "name": "j", "trainedModelArn": created["trainedModelArn"],
        "resourceConfig": {"instanceType": "ml.m5.xlarge"}, "dataSource": {"mlInputChannelArn": channel},
        "outputConfiguration": {"members": [{"accountId": "000000000000"}]}}, store))
    import numpy as np

    from aml_cli.ml.model_file import load_model

    first = load_model(store.get("MLModel", "m")["_model_path"]).weights
    second = load_model(store.get("TrainedModel", created["versionIdentifier"])["_model_path"]).weights
    same = np.array_equal(first, second)
    largest = float(np.max(np.abs(first - second)) / np.max(np.abs(first))) if not same else 0.0
    losses = (store.get("MLModel", "m")["_training"]["pass_losses"],
              store.get("TrainedModel", created["versionIdentifier"])["_training"]["pass_losses"])
    print("passes:", len(losses[0]), len(losses[1]), "last losses:", losses[0][-1], losses[1][-1])
    print(f"{args.rows} rows, {args.passes} passes, jobs inline; peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; identical weights: {same}"
          + ("" if same else f" (largest difference {largest:.2g} of the largest weight)"))
    print("| step | seconds |\n|---|---|")
    for label, seconds in results:
        print(f"| {label} | {seconds:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
