"""glassnet.inspect.live: the live view's server, event stream and snapshots (re-exports only).

The callback that feeds it during ``fit`` is ``glassnet.callbacks.LiveView``.
"""

from .server import Controls, LiveServer, PortInUseError, serve_replay
from .stream import STREAM_FILE, EventStream, load_stream
