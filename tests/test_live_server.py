"""The live view's server, stream and controls, without a browser."""

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

from glassnet.callbacks import LiveView
from glassnet.inspect.live import Controls, EventStream, LiveServer, PortInUseError, load_stream


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def _post(server, action, body=None, token=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/api/{action}",
        data=json.dumps(body or {}).encode(),
        method="POST",
        headers={"X-Glassnet-Token": server.token if token is None else token},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def live():
    stream = EventStream()
    controls = Controls()
    with LiveServer(stream, controls) as server:
        yield server, stream, controls


def test_token_is_long_and_url_safe(live):
    server, _, _ = live
    assert len(server.token) >= 16 and all(c.isalnum() or c in "-_" for c in server.token)
    assert server.url.startswith("http://127.0.0.1:") and server.token in server.url


def test_page_and_events_need_the_token(live):
    server, stream, _ = live
    base = f"http://127.0.0.1:{server.port}"
    status, body = _get(server.url)
    assert status == 200 and b"glassnet" in body
    for path in ("/", "/api/events?since=0", "/api/events?token=wrong"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            _get(base + path)
        assert refused.value.code == 403
    stream.add("batch", step=1, loss=0.5)
    status, body = _get(f"{base}/api/events?token={server.token}&since=0")
    answer = json.loads(body)
    assert answer["events"][0]["loss"] == 0.5 and answer["next"] == 1 and not answer["replay"]
    status, body = _get(f"{base}/static/app.js")  # the scripts are public, the data is not
    assert status == 200 and b"fetch" in body


def test_controls_without_the_token_are_refused(live):
    server, _, controls = live
    assert _post(server, "pause", token="")[0] == 403
    assert _post(server, "pause", token="x" * 24)[0] == 403
    assert not controls.paused
    assert _post(server, "pause") == (200, {"ok": True})
    assert controls.paused
    assert _post(server, "lr", {"lr": 0.25})[0] == 200 and controls.take_lr() == 0.25
    assert _post(server, "lr", {"lr": -1})[0] == 400
    assert _post(server, "lr", {"rate": 1})[0] == 400
    assert _post(server, "fly")[0] == 404


def test_a_foreign_host_header_is_refused(live):
    server, _, _ = live
    request = urllib.request.Request(server.url, headers={"Host": "evil.example:80"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 403


def test_a_taken_port_gives_one_clear_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(
            PortInUseError, match=f"port {port} .* already in use; choose another with --port"
        ):
            LiveServer(EventStream(), Controls(), port=port)


def test_pause_step_and_resume_in_the_training_thread():
    controls = Controls()
    passed = []

    def training():
        for batch in range(5):
            controls.wait_if_paused()
            passed.append(batch)

    controls.pause()
    worker = threading.Thread(target=training)
    worker.start()
    time.sleep(0.3)
    assert passed == []  # paused before the first batch
    controls.step()
    time.sleep(0.3)
    assert passed == [0]  # exactly one batch
    controls.resume()
    worker.join(timeout=5)
    assert passed == [0, 1, 2, 3, 4]


def test_stop_releases_a_paused_loop():
    controls = Controls()
    controls.pause()
    done = threading.Event()
    worker = threading.Thread(target=lambda: (controls.wait_if_paused(), done.set()))
    worker.start()
    controls.stop()
    assert done.wait(timeout=5) and controls.stop_requested


def test_stream_round_trips_compactly(tmp_path):
    import numpy as np

    stream = EventStream()
    stream.add("batch", step=1, loss=np.float32(0.123456789))
    stream.add("snapshot", weights=np.array([[1.0, np.nan]]), labels=np.array([1, 2]))
    path = stream.save(tmp_path / "live.jsonl.gz")
    again = load_stream(path).events()
    assert again[0]["loss"] == 0.1235 and again[1]["weights"] == [[1.0, None]]
    assert again[1]["labels"] == [1, 2]
    (tmp_path / "bad.jsonl.gz").write_bytes(b"not gzip")
    with pytest.raises(ValueError, match="not a readable live-view recording"):
        load_stream(tmp_path / "bad.jsonl.gz")


def test_a_replay_serves_everything_and_refuses_controls():
    stream = EventStream([{"kind": "batch", "step": k, "loss": 1.0 / (k + 1)} for k in range(3)])
    with LiveServer(stream, controls=None) as server:
        status, body = _get(
            f"http://127.0.0.1:{server.port}/api/events?token={server.token}&since=0"
        )
        answer = json.loads(body)
        assert answer["replay"] and len(answer["events"]) == 3
        assert _post(server, "pause")[0] == 409


def test_serve_replay_needs_a_recording(tmp_path):
    from glassnet.inspect.live import serve_replay

    with pytest.raises(
        FileNotFoundError,
        match=r"no live-view recording \(live.jsonl.gz\); train it with .glassnet train --live",
    ):
        serve_replay(str(tmp_path))
    EventStream([{"kind": "batch", "step": 1, "loss": 0.5}]).save(tmp_path / "live.jsonl.gz")
    server = serve_replay(str(tmp_path))
    try:
        status, body = _get(
            f"http://127.0.0.1:{server.port}/api/events?token={server.token}&since=0"
        )
        assert json.loads(body)["events"][0]["loss"] == 0.5
    finally:
        server.close()


def test_live_view_repr_leaves_the_data_out():
    X = np.arange(12.0).reshape(6, 2)
    live = LiveView(data=(X, np.zeros(6)), port=0, announce=False)
    assert live.data[0] is X and live.server is None
    assert repr(live).startswith("LiveView(port=0, ") and "array" not in repr(live)


def test_batch_events_are_noted_cheaply_and_read_in_order():
    noted, added = EventStream(), EventStream()
    for stream, batch in ((noted, noted.add_batch), (added, None)):
        stream.add("status", state="running", lr=0.1)
        losses = [np.float32(0.123456789), None, 2, 0.987654321, float("nan"), -1e-9 / 3]
        for step, loss in enumerate(losses, start=1):
            if batch is not None:
                batch(step, 1, loss)
            else:
                stream.add("batch", step=step, epoch=1, loss=loss)
        stream.add("epoch", step=6, epoch=1, logs={"loss": 0.5})
    assert len(noted) == len(added) == 8

    def without_time(events):
        return [{k: v for k, v in event.items() if k != "t"} for event in events]

    assert without_time(noted.events()) == without_time(added.events())
    assert [e["kind"] for e in noted.since(1)[0]] == ["batch"] * 6 + ["epoch"]
    assert [e["loss"] for e in noted.since(1)[0][:6]] == [0.1235, None, 2, 0.9877, None, -3.333e-10]


def test_a_waiting_reader_is_woken_by_a_batch():
    stream = EventStream()
    seen = []
    reader = threading.Thread(target=lambda: seen.append(stream.since(0, wait=30)))
    reader.start()
    while not stream._readers_waiting:  # the reader is inside its wait
        time.sleep(0.001)
    stream.add_batch(1, 1, 0.5)
    reader.join(timeout=10)
    assert not reader.is_alive()  # woken, long before its 30 s were up
    ((events, upto),) = seen
    assert upto == 1 and events[0]["kind"] == "batch" and events[0]["loss"] == 0.5


def test_close_stops_the_serving_thread_and_frees_the_port():
    server = LiveServer(EventStream(), Controls()).start()
    port = server.port
    server.close()
    assert not server._thread.is_alive()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # nobody listens there any more
    LiveServer(EventStream(), Controls()).close()  # never started: closes all the same
