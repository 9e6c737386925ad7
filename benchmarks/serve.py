"""`aml serve` under load, measured with real boto3 clients against a real `aml serve` process.

    python benchmarks/serve.py [--clients 32] [--calls 500] [--memory-calls 10000] [--predicts 1000]

1. Trains the bundled churn model (BINARY, default recipe) in a fresh data
   directory, gives it a real-time endpoint, and starts `aml serve --port 0`
   (signed requests, its own key file) as a separate process.
2. Mixed load: `--clients` threads, each with its own boto3 client (legacy
   retries, as boto3's default), making `--calls` calls cycling through
   DescribeMLModels, GetMLModel, Predict and CreateDataSourceFromS3: errors,
   retries, calls/s, p50 and p99 latency.
3. Predict latency: `--predicts` sequential calls (records drawn from the
   data, so no two in a row are alike), p50/p99, as the server answers them
   (a raw keep-alive HTTP client, each request signed before its clock
   starts) and through boto3 (which adds its own ~1.5 ms), beside
   `aml predict` run as a whole process (median of 5).
4. Keep-alive cost: 200 sequential calls against this server and against the
   stdlib's defaults (Nagle on, two writes a response), to show why the
   settings are what they are.
5. Slow clients: 50 connections that send a header byte a second while one
   client makes 200 calls: its p99.
6. Memory: the server's RSS after 1,000 calls and after `--memory-calls`.
7. Clean Rooms ML (REST-JSON): `--predicts` sequential calls alternating
   GetTrainedModel and ListTrainedModels through boto3, on a trained model
   made from the same data (collaboration, membership, algorithm,
   association, channel, trained model): p50/p99, errors and retries.
Prints one markdown table. `tests/server/test_load.py` runs the same
functions with smaller counts (8 clients x 40 calls, 3,000 calls for memory).
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import csv
import gzip
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "aml_cli" / "demo"


class Server:
    """`aml serve --port 0` in its own process, with its key pair read from the file it created."""

    def __init__(self, home: Path, *extra: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AML_HOME=str(home), AML_MAX_WORKERS="1", PYTHONPATH=str(REPO))
        self.process = subprocess.Popen([sys.executable, "-m", "aml_cli", "serve", "--port", "0", *extra],
                                        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True)
        line = self.process.stdout.readline().strip()  # type: ignore[union-attr]
        if not line.startswith("AML_ENDPOINT_URL="):
            raise RuntimeError(f"aml serve did not start: {line!r}")
        self.url = line.split("=", 1)[1]
        keys = configparser.ConfigParser()
        keys.read(home / "serve" / "credentials")
        self.key, self.secret = keys["default"]["aws_access_key_id"], keys["default"]["aws_secret_access_key"]

    def client(self, service: str = "machinelearning", **config):
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(aws_access_key_id=self.key, aws_secret_access_key=self.secret,
                                        region_name="us-east-1")
        options = {"retries": {"mode": "legacy"}, "max_pool_connections": 4, **config}
        return session.client(service, endpoint_url=self.url, config=Config(**options))

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used (a measure the machine's other work barely moves)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int:
        self.process.terminate()
        return self.process.wait(15)


def prepare(home: Path, data: Path | None = None, schema: Path | None = None, model_id: str = "churn") -> dict:
    """A COMPLETED BINARY model with a READY endpoint, trained in this process (jobs inline)."""
    from aml_cli.service import call
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

    data, schema = data or DEMO / "churn.csv.gz", schema or DEMO / "churn.schema"
    store, context = Store(home), RequestContext(synchronous=True)
    spec = {"DataLocationS3": str(data), "DataSchemaLocationS3": str(schema)}
    call("CreateDataSourceFromS3", {"DataSourceId": f"{model_id}-ds", "DataSpec": spec, "ComputeStatistics": True},
         store, context=context)
    call("CreateMLModel", {"MLModelId": model_id, "MLModelType": "BINARY", "TrainingDataSourceId": f"{model_id}-ds"},
         store, context=context)
    call("CreateRealtimeEndpoint", {"MLModelId": model_id}, store, context=context)
    store.close()
    return {"model": model_id, "spec": spec, "records": records_of(data, schema)}


def prepare_rooms(home: Path, source_id: str = "churn-ds") -> dict:
    """An ACTIVE Clean Rooms ML trained model over the prepared data source, made in this process (jobs inline)."""
    from aml_cli.service import call
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

    store, context, role = Store(home), RequestContext(synchronous=True), "arn:aws:iam::000000000000:role/ml"

    def run(service: str, operation: str, **request) -> dict:
        return call(operation, request, store, service_name=service, context=context)

    collaboration = run("cleanrooms", "CreateCollaboration", members=[], name="bench", creatorDisplayName="me",
                        creatorMemberAbilities=["CAN_QUERY", "CAN_RECEIVE_RESULTS"], queryLogStatus="DISABLED")
    m = run("cleanrooms", "CreateMembership", collaborationIdentifier=collaboration["collaboration"]["id"],
            queryLogStatus="DISABLED")["membership"]["id"]
    algorithm = run("cleanroomsml", "CreateConfiguredModelAlgorithm", name="sgd", roleArn=role,
                    trainingContainerConfig={"imageUri": "aml/sgd"})["configuredModelAlgorithmArn"]
    association = run("cleanroomsml", "CreateConfiguredModelAlgorithmAssociation", membershipIdentifier=m,
                      configuredModelAlgorithmArn=algorithm, name="a")["configuredModelAlgorithmAssociationArn"]
    query = {"sqlParameters": {"queryString": f'SELECT * FROM "{source_id}"'}}
    channel = run("cleanroomsml", "CreateMLInputChannel", membershipIdentifier=m, name="all", retentionInDays=7,
                  configuredModelAlgorithmAssociations=[association], inputChannel={
                      "roleArn": role, "dataSource": {"protectedQueryInputParameters": query}})["mlInputChannelArn"]
    model = run("cleanroomsml", "CreateTrainedModel", membershipIdentifier=m, name="bench",
                configuredModelAlgorithmAssociationArn=association, resourceConfig={
                    "instanceType": "ml.m5.xlarge", "volumeSizeInGB": 1},
                dataChannels=[{"mlInputChannelArn": channel, "channelName": "train"}],
                hyperparameters={"MLModelType": "BINARY", "targetAttributeName": "churn", "sgd.maxPasses": "1"})
    store.close()
    return {"membership": m, "model": model["trainedModelArn"]}


def rooms_latency(server: Server, rooms: dict, count: int) -> dict:
    """Sequential GetTrainedModel / ListTrainedModels through one boto3 client: ms, errors and retries."""
    crml = server.client("cleanroomsml")
    steps = [lambda: crml.get_trained_model(membershipIdentifier=rooms["membership"], trainedModelArn=rooms["model"]),
             lambda: crml.list_trained_models(membershipIdentifier=rooms["membership"])]
    latencies, errors, retries = [], 0, 0
    for index in range(count + 20):
        began = time.perf_counter()
        try:
            retries += steps[index % 2]()["ResponseMetadata"]["RetryAttempts"]
        except Exception:  # counted, not raised: the row reports it
            errors += 1
        if index >= 20:  # the first ones warm the connection
            latencies.append((time.perf_counter() - began) * 1000)
    return {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99), "errors": errors,
            "retries": retries}


def records_of(data: Path, schema: Path, limit: int = 500) -> list[dict[str, str]]:
    """Rows of the data as Predict records (every value a string, the target left out)."""
    import json

    target = json.loads(schema.read_text()).get("targetAttributeName")
    opener = gzip.open if str(data).endswith(".gz") else open
    with opener(data, "rt", newline="") as handle:
        rows = [row for _, row in zip(range(limit), csv.DictReader(handle), strict=False)]
    return [{k: v for k, v in row.items() if k != target and v != ""} for row in rows]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def mixed_load(server: Server, facts: dict, clients: int, calls: int) -> dict:
    """`clients` threads x `calls` mixed calls; latencies in ms, errors and retries counted."""
    latencies: list[float] = []
    errors: list[str] = []
    retries = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def worker(index: int) -> None:
        ml = server.client()
        rng = random.Random(index)
        url = ml.get_ml_model(MLModelId=facts["model"])["EndpointInfo"]["EndpointUrl"]
        steps = [lambda: ml.describe_ml_models(Limit=5), lambda: ml.get_ml_model(MLModelId=facts["model"]),
                 lambda: ml.predict(MLModelId=facts["model"], Record=rng.choice(facts["records"]),
                                    PredictEndpoint=url),
                 lambda: ml.create_data_source_from_s3(DataSourceId=f"load-{index % 4}", DataSpec=facts["spec"])]
        mine, failed, retried = [], [], 0
        start.wait()
        for call_number in range(calls):
            began = time.perf_counter()
            try:
                answer = steps[call_number % len(steps)]()
                retried += answer["ResponseMetadata"]["RetryAttempts"]
            except Exception as exc:  # counted, not raised: the run reports every failure
                failed.append(f"{type(exc).__name__}: {exc}")
            mine.append((time.perf_counter() - began) * 1000)
        with lock:
            latencies.extend(mine)
            errors.extend(failed)
            retries[0] += retried

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {"calls": len(latencies), "errors": errors, "retries": retries[0], "per_second": len(latencies) / elapsed,
            "p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99)}


def predict_latency(server: Server, facts: dict, count: int) -> dict:
    ml = server.client()
    url = ml.get_ml_model(MLModelId=facts["model"])["EndpointInfo"]["EndpointUrl"]
    records = facts["records"]
    for record in records[:20]:
        ml.predict(MLModelId=facts["model"], Record=record, PredictEndpoint=url)
    latencies = []
    for index in range(count):
        began = time.perf_counter()
        ml.predict(MLModelId=facts["model"], Record=records[index % len(records)], PredictEndpoint=url)
        latencies.append((time.perf_counter() - began) * 1000)
    return {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99)}


def raw_predict_latency(server: Server, facts: dict, count: int) -> dict:
    """Predict as the server answers it: one keep-alive connection, each request signed (by botocore)
    before its clock starts, so the client library's own cost is left out."""
    import http.client
    import json

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    signer = SigV4Auth(Credentials(server.key, server.secret), "machinelearning", "us-east-1")
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    records, latencies = facts["records"], []
    cpu_before = 0.0
    for index in range(count + 20):
        if index == 20:
            cpu_before = server.cpu_seconds()
        body = json.dumps({"MLModelId": facts["model"], "Record": records[index % len(records)],
                           "PredictEndpoint": server.url}).encode()
        request = AWSRequest(method="POST", url=server.url + "/", data=body, headers={
            "X-Amz-Target": "AmazonML_20141212.Predict", "Content-Type": "application/x-amz-json-1.1"})
        signer.add_auth(request)
        began = time.perf_counter()
        conn.request("POST", "/", body, dict(request.headers.items()))
        answer = conn.getresponse()
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"Predict answered {answer.status}")
        if index >= 20:  # the first ones warm the connection and the model
            latencies.append((time.perf_counter() - began) * 1000)
    cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / count
    conn.close()
    return {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99), "cpu_ms": cpu_ms}


def cli_predict_ms(home: Path, facts: dict, runs: int = 5) -> float:
    """`aml predict` as a whole process (start-up, imports, loading the model, one record), median ms."""
    env = {**os.environ, "AML_HOME": str(home), "PYTHONPATH": str(REPO)}
    record = ",".join(f"{k}={v}" for k, v in facts["records"][0].items() if "," not in v and "=" not in v)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "aml_cli", "predict", "--ml-model-id", facts["model"], "--record",
                        record, "--predict-endpoint", "http://127.0.0.1:1"], env=env, check=True,
                       capture_output=True)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def keep_alive_ms(url: str, key: str, secret: str, calls: int = 200) -> float:
    """Mean ms of sequential DescribeMLModels calls on one keep-alive connection."""
    import boto3
    from botocore.config import Config

    ml = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1").client(
        "machinelearning", endpoint_url=url, config=Config(retries={"total_max_attempts": 1}))
    ml.describe_ml_models(Limit=1)
    began = time.perf_counter()
    for _ in range(calls):
        ml.describe_ml_models(Limit=1)
    return (time.perf_counter() - began) * 1000 / calls


def stdlib_defaults_ms(home: Path) -> float:
    """The same calls against the same app on a stdlib server left at its defaults (Nagle on, two writes)."""
    from aml_cli import server as serving
    from aml_cli.server import http as server_http
    from aml_cli.store import Store

    class Plain(server_http.Handler):
        disable_nagle_algorithm = False

        def _send(self, response):  # headers and body in two writes, as send_response + wfile.write do
            self.send_response_only(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

    keys = {"AKIDPLAIN": serving.credentials.KeyPair("plain-secret", "arn:aws:iam::000000000000:user/plain")}
    built = serving.build(serving.Settings(port=0), Store(home), keys, local_caller="x", log=None)
    built.RequestHandlerClass = Plain
    running = serving.Running(built)
    try:
        return keep_alive_ms(running.url, "AKIDPLAIN", "plain-secret", calls=40)
    finally:
        running.stop()


def slow_clients(server: Server, slow: int = 50, calls: int = 200) -> dict:
    """`slow` connections dribbling header bytes while one client calls: its p99 must stay a normal one."""
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    sockets = []
    for _ in range(slow):
        sock = socket.create_connection((host, int(port)))
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        sockets.append(sock)
    stop = threading.Event()

    def dribble() -> None:
        while not stop.wait(1.0):
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X")

    feeder = threading.Thread(target=dribble, daemon=True)
    feeder.start()
    ml = server.client()
    latencies = []
    try:
        for _ in range(calls):
            began = time.perf_counter()
            ml.describe_ml_models(Limit=1)
            latencies.append((time.perf_counter() - began) * 1000)
    finally:
        stop.set()
        for sock in sockets:
            sock.close()
    return {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99)}


def memory(server: Server, facts: dict, calls: int, threads: int = 4) -> dict:
    """RSS after a 1,000-call warm-up and after `calls` more mixed calls."""
    mixed_load(server, facts, threads, 1000 // threads)
    before = server.rss_mb()
    mixed_load(server, facts, threads, calls // threads)
    return {"before": before, "after": server.rss_mb(), "calls": calls}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--memory-calls", type=int, default=10_000)
    parser.add_argument("--predicts", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        facts = prepare(home)
        rooms = prepare_rooms(home)
        server = Server(home)
        try:
            load = mixed_load(server, facts, args.clients, args.calls)
            predict = predict_latency(server, facts, args.predicts)
            answered = raw_predict_latency(server, facts, args.predicts)
            process_ms = cli_predict_ms(home, facts)
            ours_ms = keep_alive_ms(server.url, server.key, server.secret)
            slowloris = slow_clients(server)
            held = memory(server, facts, args.memory_calls)
            crml = rooms_latency(server, rooms, args.predicts)
        finally:
            code = server.stop()
        plain_ms = stdlib_defaults_ms(home)
    print(table(args, load, predict, answered, process_ms, ours_ms, plain_ms, slowloris, held, code, crml))
    clean = not (load["errors"] or load["retries"] or crml["errors"] or crml["retries"])
    return 0 if clean else 1


def table(args, load, predict, answered, process_ms, ours_ms, plain_ms, slowloris, held, code, crml) -> str:
    rows = [
        (f"mixed load: {args.clients} boto3 clients x {args.calls} calls (describe, get, predict, create)",
         f"{load['calls']} calls, {len(load['errors'])} errors, {load['retries']} retries, "
         f"{load['per_second']:.0f} calls/s, p50 {load['p50']:.1f} ms, p99 {load['p99']:.1f} ms"),
        (f"Predict, the server's answer (raw keep-alive HTTP, signed), {args.predicts} records",
         f"p50 {answered['p50']:.2f} ms, p99 {answered['p99']:.2f} ms; server CPU {answered['cpu_ms']:.2f} ms "
         "a call"),
        (f"Predict through boto3, one client, {args.predicts} records",
         f"p50 {predict['p50']:.2f} ms, p99 {predict['p99']:.2f} ms"),
        ("`aml predict` as a process (median of 5)", f"{process_ms:.0f} ms ({process_ms / predict['p50']:.0f}x)"),
        ("keep-alive call, these settings vs stdlib defaults", f"{ours_ms:.2f} ms vs {plain_ms:.1f} ms"),
        ("200 calls while 50 slow clients dribble headers", f"p50 {slowloris['p50']:.1f} ms, "
         f"p99 {slowloris['p99']:.1f} ms"),
        (f"server RSS after 1,000 calls, then {held['calls']:,} more", f"{held['before']:.1f} MB -> "
         f"{held['after']:.1f} MB ({held['after'] - held['before']:+.1f} MB)"),
        (f"Clean Rooms ML through boto3, one client, {args.predicts} calls (GetTrainedModel, ListTrainedModels)",
         f"p50 {crml['p50']:.2f} ms, p99 {crml['p99']:.2f} ms; {crml['errors']} errors, {crml['retries']} retries"),
        ("SIGTERM after the run", f"exit {code}"),
        ("machine load average (1, 5, 15 min) at the end", ", ".join(f"{x:.1f}" for x in os.getloadavg())),
    ]
    lines = ["| measure | result |", "|---|---|", *[f"| {a} | {b} |" for a, b in rows]]
    if load["errors"]:
        lines.append(f"\nfirst error: {load['errors'][0]}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
