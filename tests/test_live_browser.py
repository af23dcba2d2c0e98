"""The live view in a real headless Chromium during a short training run."""

import threading
import time
import urllib.error
import urllib.request

import pytest
from browser import launch, not_blank

sync_api = pytest.importorskip("playwright.sync_api")


def _wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_page_follows_training_and_steers_it(tmp_path):
    import glassnet as gn
    from glassnet import nn
    from glassnet.callbacks import Diagnostics, LiveView

    X, y = gn.data.spiral(100, seed=0)
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
    live = LiveView(data=(X, y), snapshot_seconds=0.1, announce=False)
    result = {}

    def train():
        result["history"] = gn.fit(model, (X, y), epochs=2000, batch_size=32, lr=0.05,
                                   verbose=0, callbacks=[live, Diagnostics(verbose=False)])  # fmt: skip

    worker = threading.Thread(target=train, daemon=True)
    worker.start()
    assert _wait_for(lambda: live.url is not None)
    batches = lambda: sum(1 for e in live.stream.events() if e["kind"] == "batch")  # noqa: E731
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1300})
            page.goto(live.url)
            # The curves update: the progress line moves on without reloading the page.
            page.wait_for_selector("#loss-chart canvas", timeout=20_000)
            first = page.inner_text("#progress")
            page.wait_for_function(
                "(before) => document.querySelector('#progress').textContent !== before",
                arg=first, timeout=20_000,
            )  # fmt: skip
            assert page.locator("#boundary-panel").is_visible()
            # Pause: training stops between batches, the page says so.
            page.click("#pause")
            page.wait_for_function("document.querySelector('#status').textContent.startsWith('paused')",
                                   timeout=20_000)  # fmt: skip
            held = batches()
            time.sleep(0.6)
            assert batches() <= held + 1
            # A new learning rate reaches the optimizer.
            page.fill("#lr", "0.0125")
            page.click("#set-lr")
            page.click("#step")
            assert _wait_for(lambda: live.optimizer.param_groups[0]["lr"] == 0.0125)
            # Resume: batches flow again.
            page.click("#resume")
            resumed = batches()
            assert _wait_for(lambda: batches() > resumed + 5)
            shot = tmp_path / "live.png"
            page.screenshot(path=str(shot), full_page=True)
            assert not_blank(shot)
            # A control request without the token is refused.
            port = live.server.port
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/stop", data=b"{}",
                                             method="POST")  # fmt: skip
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=5)
            assert refused.value.code == 403
            assert worker.is_alive()  # the refused request did not stop training
            page.click("#stop")
        finally:
            browser.close()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert result["history"].stop_reason == "stopped from the live view"
    live.close()
    path = live.save(tmp_path / "live.jsonl.gz")
    from glassnet.inspect.live import load_stream

    assert any(e["kind"] == "snapshot" for e in load_stream(path).events())
