"""`make demo`: the whole job on the offline AWS, from a fresh clone.

Starts localcloud (moto + cfnops patches) on a free 127.0.0.1 port, then as a user
would: render, lint, validate, bootstrap and deploy staging to three regions, show the
result, deploy again (nothing to do: no operation started). Then someone changes the
flow-log retention in us-west-2 by hand; drift detection finds it (exit 2), the change
is reverted, and drift is clean again (exit 0). The server stops at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENT = os.environ.get("ENV", "staging")


def step(title: str, *arguments: str, env: dict, allowed: tuple[int, ...] = (0,)) -> int:
    print(f"\n=== {title}: cfnops {' '.join(arguments)}", flush=True)
    code = subprocess.run([sys.executable, "-m", "cfnops", *arguments], cwd=ROOT, env=env).returncode
    if code not in allowed:
        raise SystemExit(f"demo: `cfnops {' '.join(arguments)}` exited {code}")
    print(f"(exit {code})", flush=True)
    return code


def set_flow_log_retention(env: dict, days: int) -> None:
    """What a console user does: Log groups > /staging/us-west-2/vpc-flow-logs > Edit retention."""
    import boto3

    session = boto3.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"]
    )
    logs = session.client("logs", region_name="us-west-2", endpoint_url=env["AWS_ENDPOINT_URL"])
    logs.put_retention_policy(logGroupName=f"/{ENVIRONMENT}/us-west-2/vpc-flow-logs", retentionInDays=days)
    print(
        f"\n=== out of band: retention of /{ENVIRONMENT}/us-west-2/vpc-flow-logs set to {days} days by hand", flush=True
    )


def start_localcloud(env_file: Path) -> tuple[subprocess.Popen, dict]:
    server_env = {**os.environ, "LOCALCLOUD_OPERATION_SECONDS": os.environ.get("LOCALCLOUD_OPERATION_SECONDS", "1")}
    server = subprocess.Popen(
        [sys.executable, "-m", "localcloud", "--env-file", str(env_file)],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not env_file.exists() or not env_file.read_text().strip():
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("demo: localcloud did not start")
        time.sleep(0.2)
    exports = dict(line.removeprefix("export ").split("=", 1) for line in env_file.read_text().splitlines())
    urllib.request.urlopen(exports["AWS_ENDPOINT_URL"] + "/moto-api/", timeout=10).read()
    return server, exports


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        server, exports = start_localcloud(Path(scratch) / "localcloud.env")
        env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        env.update(exports, CFNOPS_POLL_SECONDS="0.5", CFNOPS_POLL_MAX_SECONDS="1.5")
        print(f"localcloud: {exports['AWS_ENDPOINT_URL']} (moto + cfnops patches, nothing leaves this machine)")
        try:
            step("render", "render", env=env)
            step("lint", "lint", env=env)
            step("validate", "validate", "--env", ENVIRONMENT, env=env)
            step("bootstrap", "bootstrap", "--env", ENVIRONMENT, env=env)
            step("plan", "plan", "--env", ENVIRONMENT, "--no-diff", env=env, allowed=(0, 2))
            step("deploy", "deploy", "--env", ENVIRONMENT, env=env)
            step("status", "status", "--env", ENVIRONMENT, env=env)
            step("deploy again (nothing changed: no operation starts)", "deploy", "--env", ENVIRONMENT, env=env)
            step("drift (in sync)", "drift", "--env", ENVIRONMENT, env=env)
            set_flow_log_retention(env, 7)
            step("drift (someone changed us-west-2)", "drift", "--env", ENVIRONMENT, env=env, allowed=(2,))
            set_flow_log_retention(env, 90)
            step("drift (reverted)", "drift", "--env", ENVIRONMENT, env=env)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("\ndemo: done; localcloud stopped")


if __name__ == "__main__":
    main()
