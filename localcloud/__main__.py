"""`python -m localcloud [--port N]`: the offline AWS on 127.0.0.1 until stopped
(`--patches`: what localcloud changes in moto, in order, and why)."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sys
import threading

from . import install

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "localcloud", "AWS_SECRET_ACCESS_KEY": "localcloud", "AWS_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description="moto + cfnops patches on 127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOCALCLOUD_PORT", "0")), help="0: a free port")
    parser.add_argument("--env-file", help="also write the export lines to this file")
    parser.add_argument("--patches", action="store_true", help="list every patch of moto, in order, and exit")
    arguments = parser.parse_args()
    install()
    if arguments.patches:
        from .core import registry

        print(registry.report())
        return
    from moto.server import ThreadedMotoServer

    port = arguments.port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # operations end within LOCALCLOUD_OPERATION_SECONDS: poll at most every 2 s to see the end within 2 s
    exports = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", **CREDENTIALS, "CFNOPS_POLL_MAX_SECONDS": "1.5"}
    lines = [f"export {key}={value}" for key, value in exports.items()]
    if arguments.env_file:
        with open(arguments.env_file, "w") as handle:
            handle.write("\n".join(lines) + "\n")
    print("localcloud is running. In another shell:\n  " + "\n  ".join(lines) + "\nCtrl-C stops it.", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
