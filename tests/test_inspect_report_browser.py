"""The HTML report opened in a real headless browser: every section there and visible, offline."""

import pytest
from browser import launch, not_blank

sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("matplotlib")


def test_report_sections_are_visible_in_chromium(tmp_path):
    import numpy as np

    import glassnet as gn
    from glassnet import nn
    from glassnet.inspect import write_report

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 16)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 2))
    history = gn.fit(model, (X, y), epochs=2, batch_size=16, verbose=0)
    path = write_report(tmp_path / "report.html", model=model, history=history,
                        config={"epochs": 2}, X_test=X, y_test=y, image_shape=(4, 4))  # fmt: skip
    requests = []
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.goto(f"file://{path}")
            for key in ("configuration", "model", "curves", "layers", "confusion", "mistakes",
                        "explanation"):  # fmt: skip
                assert page.locator(f"section#{key}").is_visible(), key
            images = page.locator("img")
            assert images.count() >= 3
            widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
            assert all(w > 0 for w in widths)  # every embedded picture decoded
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert not_blank(shot)
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
