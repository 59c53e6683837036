"""The emulator's server process: moto_server with irready's extensions.

Run as ``python3 -m emulator_ext.server --port N`` with ``scripts/`` on the
module path; ``scripts/emulator up`` does exactly that. It serves moto's own
WSGI application, extended before the first request, behind the CloudWatch
RPC v2 CBOR front and the log delivery front (``POST /_irready/deliver``), on
127.0.0.1 only.
"""

import argparse
import logging
import os
import signal
import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

import emulator_ext
from emulator_ext.cloudwatch_cbor import CloudWatchCborFront
from emulator_ext.delivery_front import DeliveryFront


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    # moto reads these when it first needs them, not at import: the port for
    # requests it sends to itself (custom resources), the flag whenever an
    # account's IAM backend is created.
    os.environ["MOTO_PORT"] = str(args.port)
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    emulator_ext.install()
    application = DeliveryFront(CloudWatchCborFront(DomainDispatcherApplication(create_backend_app)))

    # Exit through SystemExit so that werkzeug closes its socket on SIGTERM.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    run_simple("127.0.0.1", args.port, application, threaded=True)


if __name__ == "__main__":
    main()
