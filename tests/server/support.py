"""What the server tests share: a known key pair, boto3 clients without retries, a small trained world."""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import sqlite3
import sys
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from aml_cli.server.credentials import KeyPair
from aml_cli.service import call
from aml_cli.service.context import RequestContext
from aml_cli.store import Store

KEY_ID = "AMLTESTKEY0000000001"
SECRET = "a-test-secret-that-only-the-tests-know-00"
CALLER = "arn:aws:iam::000000000000:user/tester"
KEYS = {KEY_ID: KeyPair(SECRET, CALLER)}
REGION = "us-east-1"
RECORD = {"x": "3.5", "color": "red"}
AWS = shutil.which("aws", path=os.path.dirname(sys.executable)) or shutil.which("aws")  # the aws CLI, if installed


def client(url: str, service: str = "machinelearning", *, key: str = KEY_ID, secret: str = SECRET,
           attempts: int = 1, **config):
    """A boto3 client of `service` at `url` with explicit credentials; one attempt unless a test asks for more."""
    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name=REGION)
    retries = {"total_max_attempts": attempts} if attempts else {"mode": "legacy"}
    return session.client(service, endpoint_url=url, config=Config(retries=retries, **config))


def write_data(folder: Path, rows: int = 240, seed: int = 7) -> tuple[Path, Path]:
    """A small BINARY data set (y depends on x and color) and its schema."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    lines = ["id,x,color,y"]
    for index in range(rows):
        x = rng.uniform(0, 10)
        color = rng.choice(["red", "green", "blue"])
        y = int(x + (2 if color == "red" else 0) + rng.gauss(0, 1) > 6)
        lines.append(f"{index},{x:.3f},{color},{y}")
    data = folder / "data.csv"
    data.write_text("\n".join(lines) + "\n")
    schema = folder / "data.schema"
    schema.write_text(json.dumps({
        "version": "1.0", "rowId": "id", "targetAttributeName": "y", "dataFormat": "CSV",
        "dataFileContainsHeader": True,
        "attributes": [{"attributeName": "id", "attributeType": "CATEGORICAL"},
                       {"attributeName": "x", "attributeType": "NUMERIC"},
                       {"attributeName": "color", "attributeType": "CATEGORICAL"},
                       {"attributeName": "y", "attributeType": "BINARY"}]}))
    return data, schema


def write_database(folder: Path) -> Path:
    """A SQLite file for CreateDataSourceFromRDS/Redshift (aml reads a SQLite path as the database)."""
    path = folder / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER, total REAL, churned INTEGER)")
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?)", [(i, i * 1.5, i % 2) for i in range(20)])
    return path


def build_world(home: Path, folder: Path) -> dict:
    """Resources every operation can be called on, all COMPLETED (jobs inline): `*-1` to read and update,
    `*-spare` to delete, a model with a READY endpoint."""
    store = Store(home)
    data, schema = write_data(folder)
    context = RequestContext(synchronous=True, caller_arn=CALLER)

    def run(operation: str, **request) -> dict:
        return call(operation, request, store, context=context)

    spec = {"DataLocationS3": str(data), "DataSchemaLocationS3": str(schema)}
    for source in ("ds-1", "ds-spare"):
        run("CreateDataSourceFromS3", DataSourceId=source, DataSpec=spec, ComputeStatistics=True)
    for model in ("ml-1", "ml-spare"):
        run("CreateMLModel", MLModelId=model, MLModelType="BINARY", TrainingDataSourceId="ds-1")
    run("CreateRealtimeEndpoint", MLModelId="ml-1")
    for evaluation in ("ev-1", "ev-spare"):
        run("CreateEvaluation", EvaluationId=evaluation, MLModelId="ml-1", EvaluationDataSourceId="ds-1")
    for batch in ("bp-1", "bp-spare"):
        run("CreateBatchPrediction", BatchPredictionId=batch, MLModelId="ml-1", BatchPredictionDataSourceId="ds-1",
            OutputUri=str(folder / "out") + "/")
    return {"data": data, "schema": schema, "database": write_database(folder), "folder": folder}


class Raw(NamedTuple):
    status: int
    headers: dict[str, str]  # lower-case names
    body: dict | None  # the JSON body, if it is JSON

    @property
    def code(self) -> str | None:
        return (self.body or {}).get("__type")

    @property
    def message(self) -> str:
        return (self.body or {}).get("message", "")


def signed_headers(url: str, method: str, path: str, body: bytes, headers: dict[str, str], *,
                   service: str = "machinelearning", key: str = KEY_ID, secret: str = SECRET,
                   token: str | None = None) -> dict[str, str]:
    """The headers botocore's own signer adds to this request (the oracle signs, the server verifies)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url + path, data=body, headers=dict(headers))
    SigV4Auth(Credentials(key, secret, token), service, REGION).add_auth(request)
    return dict(request.headers.items())


def json_headers(operation: str | None, content_type: str = "application/x-amz-json-1.1") -> dict[str, str]:
    headers = {"Content-Type": content_type}
    if operation is not None:
        headers["X-Amz-Target"] = operation if "." in operation else f"AmazonML_20141212.{operation}"
    return headers


def send(url: str, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None, *,
         sign: bool = True, **signing) -> Raw:
    """One raw HTTP request (signed by botocore unless `sign` is False) and the server's answer."""
    headers = dict(headers or {})
    if sign:
        headers = signed_headers(url, method, path, body, headers, **signing)
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        answer = {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = None
    return Raw(response.status, answer, parsed)
