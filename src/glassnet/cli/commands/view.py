"""`glassnet view RUN`: replay a run recorded with `glassnet train --live` in the browser."""

from __future__ import annotations

import argparse
import time

from ..errors import CLIError

__all__ = ["cmd_view"]


def cmd_view(args: argparse.Namespace) -> int:
    """Serve the run's recorded live stream with a time slider until Ctrl-C."""
    from ...inspect.live import PortInUseError, serve_replay

    try:
        server = serve_replay(args.run, port=args.port)
    except (FileNotFoundError, PortInUseError, ValueError) as e:
        raise CLIError(str(e)) from None
    print(f"Replay of {args.run}: {server.url}")
    print("Open it in a browser; press Ctrl-C to stop.", flush=True)
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("Stopped.")
        return 0
    finally:
        server.close()
