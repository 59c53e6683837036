"""A real emulator server for the emulator's tests, on a free loopback port.

Starts ``python3 -m emulator_ext.server`` (what ``scripts/emulator up --seed none``
runs), waits until it answers, runs one round of deliveries on request
(``POST /_irready/deliver``) and stops it.
"""

import json
import os
import socket
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Emulator:
    def __init__(self, name: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "scripts"), environment.get("PYTHONPATH")]))
        environment["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "false"
        environment.pop("IRREADY_EMULATOR_KMS_STRICT", None)
        self.log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"irready-{name}-test-{self.port}.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "emulator_ext.server", "--port", str(self.port)],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=environment,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the emulator did not start; see {self.log.name}")
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def deliver(self) -> dict:
        request = urllib.request.Request(self.url + "/_irready/deliver", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=120) as reply:
            return json.loads(reply.read())


MANAGEMENT = "123456789012"
REGION = "us-east-1"


class OrganizationTestCase(unittest.TestCase):
    """Tests against one emulator with an organization: the management account and the
    member accounts ``forensics`` and ``workload``, entered through
    ``OrganizationAccountAccessRole``."""

    name = "emulator"
    emulator: Emulator

    @classmethod
    def setUpClass(cls) -> None:
        cls.emulator = Emulator(cls.name)
        cls.credentials = {MANAGEMENT: {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}}
        organizations = cls.client("organizations")
        organizations.create_organization(FeatureSet="ALL")
        cls.org_id = organizations.describe_organization()["Organization"]["Id"]
        cls.forensic = cls.member("forensics")
        cls.workload = cls.member("workload")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.emulator.stop()
        Path(cls.emulator.log.name).unlink(missing_ok=True)

    @classmethod
    def member(cls, name: str) -> str:
        status = cls.client("organizations").create_account(AccountName=name, Email=f"{name}@example.com")
        account = status["CreateAccountStatus"]["AccountId"]
        role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        assumed = cls.client("sts").assume_role(RoleArn=role, RoleSessionName="test")["Credentials"]
        cls.credentials[account] = {
            "aws_access_key_id": assumed["AccessKeyId"],
            "aws_secret_access_key": assumed["SecretAccessKey"],
            "aws_session_token": assumed["SessionToken"],
        }
        return account

    @classmethod
    def client(cls, service: str, account: str = MANAGEMENT, region: str = REGION):
        return boto3.client(service, endpoint_url=cls.emulator.url, region_name=region, **cls.credentials[account])
