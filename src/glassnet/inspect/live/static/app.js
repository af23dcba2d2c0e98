// The glassnet live view. It asks the server for new events, folds every event up to "now"
// (or up to the replay slider) into one state, and draws that state. It computes no
// statistics of its own: everything it shows came from Python.
"use strict";

const token = new URLSearchParams(location.search).get("token") || "";
const events = [];
let replay = false;
let nextEvent = 0;
let hovered = null; // {path, unit} of the hidden unit under the mouse, if any
let charts = {};

const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- talking to the server
async function poll() {
  try {
    const response = await fetch(`/api/events?token=${encodeURIComponent(token)}&since=${nextEvent}`);
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    const body = await response.json();
    events.push(...body.events);
    nextEvent = body.next;
    if (body.replay && !replay) startReplay();
    render();
    if (!replay) setTimeout(poll, body.events.length ? 50 : 300);
  } catch (error) {
    $("status").textContent = `disconnected (${error.message}); retrying`;
    setTimeout(poll, 2000);
  }
}

async function control(action, body) {
  const response = await fetch(`/api/${action}`, {
    method: "POST",
    headers: {"X-Glassnet-Token": token, "Content-Type": "application/json"},
    body: JSON.stringify(body || {}),
  });
  const answer = await response.json();
  $("control-message").textContent = response.ok ? `${action}: done` : answer.error;
}

// ---------------------------------------------------------------- events -> state
function fold(upto) {
  const state = {meta: null, batches: [], epochs: [], snapshot: null, first: null,
                 hints: [], status: {state: "waiting"}};
  for (const event of events.slice(0, upto)) {
    switch (event.kind) {
      case "meta": state.meta = event; break;
      case "batch": state.batches.push(event); break;
      case "epoch": state.epochs.push(event); break;
      case "snapshot": state.snapshot = event; if (!state.first) state.first = event; break;
      case "hint": state.hints.push(event); break;
      case "status": state.status = event; break;
    }
  }
  return state;
}

function render() {
  const upto = replay ? Number($("slider").value) : events.length;
  if (replay) {
    $("slider").max = String(events.length);
  }
  const state = fold(upto);
  drawStatus(state);
  drawCurves(state);
  drawNetwork(state);
  drawPredictions(state);
  drawHistograms(state);
  drawHints(state);
}

// ---------------------------------------------------------------- header and controls
function drawStatus(state) {
  const s = state.status;
  const label = s.state === "finished" && s.reason ? `finished: ${s.reason}` : s.state;
  $("status").textContent = label + (s.lr != null ? `, lr ${s.lr}` : "");
  $("status").className = "status " + s.state;
  const last = state.batches[state.batches.length - 1];
  if (last && state.meta) {
    const perEpoch = state.meta.steps_per_epoch;
    $("progress").textContent = `epoch ${last.epoch + 1} of ${state.meta.epochs}, batch ${last.step}` +
      (perEpoch ? ` (${perEpoch} per epoch)` : "");
  }
  if (!replay && s.lr != null && document.activeElement !== $("lr")) $("lr").value = s.lr;
}

function startReplay() {
  replay = true;
  $("mode").textContent = "replay";
  $("controls").hidden = true;
  $("replay").hidden = false;
  $("slider").max = String(events.length);
  $("slider").value = String(events.length);
}

// ---------------------------------------------------------------- curves (uPlot)
function chart(id, key, data, series) {
  const width = Math.max(300, $(id).clientWidth || 600);
  const old = charts[key];
  if (old && old.series.length === series.length + 1) {
    old.setData(data);
    return;
  }
  if (old) old.destroy();
  charts[key] = new uPlot({width, height: 220, series: [{}, ...series],
                           scales: {x: {time: false}}}, data, $(id));
}

function drawCurves(state) {
  const steps = state.batches.map((b) => b.step);
  const byStep = new Map(state.epochs.map((e) => [e.step, e.logs]));
  const epochValue = (name) => steps.map((s) => (byStep.has(s) && byStep.get(s)[name] != null
    ? byStep.get(s)[name] : null));
  const series = [{label: "batch loss", stroke: "#9aa5b1"},
                  {label: "train loss (epoch)", stroke: palette[0], points: {show: true}, spanGaps: true}];
  const data = [steps, state.batches.map((b) => b.loss), epochValue("loss")];
  if (state.epochs.some((e) => e.logs.val_loss != null)) {
    series.push({label: "validation loss", stroke: palette[1], points: {show: true}, spanGaps: true});
    data.push(epochValue("val_loss"));
  }
  if (steps.length) chart("loss-chart", "loss", data, series);
  const names = new Set();
  for (const e of state.epochs) for (const k of Object.keys(e.logs)) {
    if (!k.endsWith("loss") && k !== "lr") names.add(k);
  }
  if (state.epochs.length && names.size) {
    const metricSeries = [...names].map((name, k) => ({label: name, stroke: palette[(k + 2) % 10],
                                                        points: {show: true}}));
    const metricData = [state.epochs.map((e) => e.epoch),
                        ...[...names].map((name) => state.epochs.map((e) => e.logs[name] ?? null))];
    chart("metric-chart", "metrics", metricData, metricSeries);
  }
}

// ---------------------------------------------------------------- the network diagram
let unitPositions = [];

function drawNetwork(state) {
  const canvas = $("network");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  unitPositions = [];
  if (!state.meta) return;
  const layers = state.meta.network.layers;
  const snap = state.snapshot ? state.snapshot.network.layers : [];
  const columns = [{path: "input", units: layers.length ? layers[0].inputs : 0}]
    .concat(layers.map((l) => ({path: l.path, units: l.units, type: l.type})));
  const dx = canvas.width / (columns.length + 0.5);
  const place = (c, i, n) => [dx * (c + 0.75), canvas.height * (i + 1) / (n + 1)];
  const small = (n) => n <= 32;
  // Connections first (under the units), coloured by sign, thicker with magnitude.
  layers.forEach((layer, k) => {
    const s = snap[k];
    if (!s || !s.weights || !small(columns[k].units) || !small(layer.units)) return;
    const biggest = Math.max(1e-9, ...s.weights.flat().map(Math.abs));
    s.weights.forEach((row, j) => row.forEach((w, i) => {
      const [x0, y0] = place(k, i, columns[k].units);
      const [x1, y1] = place(k + 1, j, layer.units);
      ctx.strokeStyle = w >= 0 ? "rgba(245,147,34,0.8)" : "rgba(8,119,189,0.8)";
      ctx.lineWidth = 0.3 + 3.5 * Math.abs(w) / biggest;
      ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    }));
  });
  columns.forEach((column, c) => {
    const s = c > 0 ? snap[c - 1] : null;
    if (small(column.units)) {
      for (let i = 0; i < column.units; i++) {
        const [x, y] = place(c, i, column.units);
        const mean = s && s.unit_means ? s.unit_means[i] : null;
        ctx.fillStyle = mean == null ? "#dde3ea" : (mean >= 0 ? "rgba(245,147,34," : "rgba(8,119,189,")
          + Math.min(1, 0.25 + Math.abs(mean)) + ")";
        const isHovered = hovered && hovered.path === column.path && hovered.unit === i;
        ctx.beginPath(); ctx.arc(x, y, isHovered ? 8 : 6, 0, 2 * Math.PI); ctx.fill();
        ctx.strokeStyle = "#333"; ctx.lineWidth = isHovered ? 2 : 0.6; ctx.stroke();
        if (c > 0 && c < columns.length - 1) unitPositions.push({x, y, path: column.path, unit: i});
      }
    } else {
      const [x] = place(c, 0, 1);
      ctx.fillStyle = "#eef2f6";
      ctx.fillRect(x - dx * 0.35, 30, dx * 0.7, canvas.height - 60);
      ctx.fillStyle = "#333"; ctx.font = "12px sans-serif"; ctx.textAlign = "center";
      const lines = [`${column.units} units`];
      if (s) {
        if (s.activation_norm != null) lines.push(`act ${fmt(s.activation_norm)}`);
        if (s.grad_norm != null) lines.push(`grad ${fmt(s.grad_norm)}`);
        if (s.dead_fraction != null) lines.push(`dead ${(100 * s.dead_fraction).toFixed(0)}%`);
      }
      lines.forEach((line, k) => ctx.fillText(line, x, canvas.height / 2 - 20 + 16 * k));
    }
    ctx.fillStyle = "#555"; ctx.font = "11px sans-serif"; ctx.textAlign = "center";
    ctx.fillText(column.path + (column.type ? ` (${column.type})` : ""), place(c, 0, 1)[0], 14);
  });
  const rows = snap.map((s) => `<tr><td>${s.path}</td><td>${fmt(s.weight_norm)}</td>
    <td>${fmt(s.grad_norm)}</td><td>${fmt(s.activation_norm)}</td>
    <td>${s.dead_fraction == null ? "" : (100 * s.dead_fraction).toFixed(0) + "%"}</td></tr>`);
  $("layer-table").innerHTML = rows.length ? `<table><tr><th>layer</th><th>weight norm</th>
    <th>gradient norm</th><th>activation norm</th><th>dead units</th></tr>${rows.join("")}</table>` : "";
}

function fmt(x) {
  if (x == null) return "";
  return Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : x.toPrecision(3);
}

$("network").addEventListener("mousemove", (event) => {
  const canvas = $("network");
  const box = canvas.getBoundingClientRect();
  const x = (event.clientX - box.left) * canvas.width / box.width;
  const y = (event.clientY - box.top) * canvas.height / box.height;
  const hit = unitPositions.find((u) => (u.x - x) ** 2 + (u.y - y) ** 2 < 100);
  const before = hovered;
  hovered = hit ? {path: hit.path, unit: hit.unit} : null;
  if (JSON.stringify(before) !== JSON.stringify(hovered)) render();
});

// ---------------------------------------------------------------- what it predicts
function drawPredictions(state) {
  if (!state.meta) return;
  const p = state.snapshot && state.snapshot.predictions;
  if (state.meta.data === "points") {
    $("boundary-panel").hidden = false;
    if (p) drawBoundary(state.meta, p);
  } else if (state.meta.data === "images") {
    $("images-panel").hidden = false;
    if (p) drawImages(state.meta, p);
  }
}

function drawBoundary(meta, p) {
  const canvas = $("boundary");
  const ctx = canvas.getContext("2d");
  const unitMap = hovered && p.units && p.units[hovered.path] ? p.units[hovered.path][hovered.unit] : null;
  $("boundary-title").textContent = unitMap ? `What unit ${hovered.unit} of ${hovered.path} responds to`
                                            : "Decision boundary";
  const n = unitMap ? Math.round(Math.sqrt(unitMap.length)) : Math.round(Math.sqrt(p.winner.length));
  const cell = canvas.width / n;
  const top = unitMap ? Math.max(1e-9, ...unitMap.map(Math.abs)) : 1;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const k = r * n + c;
      if (unitMap) {
        const v = unitMap[k] / top;
        ctx.fillStyle = v >= 0 ? `rgba(245,147,34,${Math.abs(v)})` : `rgba(8,119,189,${Math.abs(v)})`;
        ctx.clearRect(c * cell, canvas.height - (r + 1) * cell, cell + 1, cell + 1);
      } else {
        ctx.fillStyle = palette[p.winner[k] % 10];
        ctx.globalAlpha = 0.15 + 0.5 * p.confidence[k];
      }
      ctx.fillRect(c * cell, canvas.height - (r + 1) * cell, cell + 1, cell + 1);
      ctx.globalAlpha = 1;
    }
  }
  const [x0, x1] = p.x_range, [y0, y1] = p.y_range;
  (meta.points || []).forEach(([x, y], k) => {
    ctx.fillStyle = palette[meta.labels[k] % 10];
    ctx.beginPath();
    ctx.arc((x - x0) / (x1 - x0) * canvas.width, canvas.height - (y - y0) / (y1 - y0) * canvas.height,
            3, 0, 2 * Math.PI);
    ctx.fill(); ctx.strokeStyle = "#222"; ctx.lineWidth = 0.5; ctx.stroke();
  });
}

function imageCanvas(values, shape, scale) {
  const [h, w] = shape.slice(-2);
  const canvas = document.createElement("canvas");
  canvas.width = w * scale; canvas.height = h * scale;
  const ctx = canvas.getContext("2d");
  const lo = Math.min(...values), hi = Math.max(...values);
  const signed = lo < 0;
  const top = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
    const v = values[i * w + j];
    if (signed) {
      ctx.fillStyle = v >= 0 ? `rgba(214,48,49,${v / top})` : `rgba(8,119,189,${-v / top})`;
    } else {
      const g = Math.round(255 * (1 - (v - lo) / ((hi - lo) || 1)));
      ctx.fillStyle = `rgb(${g},${g},${g})`;
    }
    ctx.fillRect(j * scale, i * scale, scale, scale);
  }
  return canvas;
}

function drawImages(meta, p) {
  const shape = meta.image_shape || [Math.sqrt(meta.images[0].length), Math.sqrt(meta.images[0].length)];
  const scale = Math.max(2, Math.floor(64 / shape[shape.length - 1]));
  const names = meta.class_names;
  const label = (k) => (names && names[k] != null ? names[k] : String(k));
  $("samples").replaceChildren(...meta.images.map((values, k) => {
    const box = document.createElement("div");
    const right = p.predicted[k] === meta.labels[k];
    box.className = "sample" + (right ? "" : " wrong");
    box.appendChild(imageCanvas(values, shape, scale));
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(`${label(p.predicted[k])} (${(100 * p.confidence[k]).toFixed(0)}%)`));
    return box;
  }));
  if (p.first_weights) {
    $("filters").replaceChildren(...p.first_weights.map((w) => imageCanvas(w.flat(), shape, scale)));
  }
}

// ---------------------------------------------------------------- histograms and hints
function histogramCanvas(title, latest, first) {
  const canvas = document.createElement("canvas");
  canvas.width = 170; canvas.height = 70;
  const ctx = canvas.getContext("2d");
  const draw = (h, colour) => {
    if (!h || !h.counts.length) return;
    const top = Math.max(...h.counts) || 1;
    const w = canvas.width / h.counts.length;
    ctx.fillStyle = colour;
    h.counts.forEach((c, k) => ctx.fillRect(k * w, canvas.height - 12 - (canvas.height - 26) * c / top,
                                            w - 1, (canvas.height - 26) * c / top));
  };
  draw(first, "rgba(160,160,160,0.5)");
  draw(latest, "rgba(31,119,180,0.75)");
  ctx.fillStyle = "#333"; ctx.font = "10px sans-serif";
  ctx.fillText(title, 2, 10);
  if (latest && latest.counts.length) {
    ctx.fillText(fmt(latest.lo), 2, canvas.height - 1);
    ctx.textAlign = "right"; ctx.fillText(fmt(latest.hi), canvas.width - 2, canvas.height - 1);
  }
  return canvas;
}

function drawHistograms(state) {
  if (!state.snapshot) return;
  const first = state.first.network.layers;
  const pictures = [];
  state.snapshot.network.layers.forEach((layer, k) => {
    pictures.push(histogramCanvas(`${layer.path} weights`, layer.weights_hist, first[k] && first[k].weights_hist));
    if (layer.grads_hist) pictures.push(histogramCanvas(`${layer.path} gradients`, layer.grads_hist, null));
  });
  $("histograms").replaceChildren(...pictures);
}

function drawHints(state) {
  if (!state.hints.length) return;
  $("hints").replaceChildren(...state.hints.map((h) => {
    const item = document.createElement("li");
    item.textContent = `epoch ${h.epoch}: ${h.message}`;
    return item;
  }));
}

// ---------------------------------------------------------------- wiring
for (const action of ["pause", "resume", "step", "stop"]) {
  $(action).addEventListener("click", () => control(action));
}
$("set-lr").addEventListener("click", () => control("lr", {lr: Number($("lr").value)}));
$("slider").addEventListener("input", () => {
  $("slider-label").textContent = `event ${$("slider").value} of ${events.length}`;
  render();
});
poll();
