// The browser decoder: a Streamlit component (st.components.v2) that decodes latent codes z into
// pictures with onnxruntime-web, so a picture follows the pointer or a slider without a server round
// trip. pages/_decoder.py mounts it and documents the data it sends; this file draws three views:
//   "sliders"  one range input per direction; z = origin + sum_i value_i * direction_i
//   "plane"    real codes as class-coloured points on a 2-D plane z = origin + a*u + b*v; the picture
//              follows the pointer; a click reports (a, b)
//   "grid"     an n x n grid of pictures decoded over the plane; a click reports the cell
// Where WebAssembly or the runtime cannot start, it reports {status: "unavailable"} and paints the
// pictures the server decoded instead (data.server), updated on click or slider release.
//
// Streamlit imports this module once per tab (the same source gives the same blob URL) and calls the
// default export again whenever the data changes, with the same parentElement: module-level caches
// (runtime, sessions) live as long as the tab, per-element state lives in INSTANCES.

const ORT_FILE = "ort.wasm.bundle.min.mjs";
const WASM_FILE = "ort-wasm-simd-threaded.wasm";
const PIXELS = 28 * 28;
const GRID_CHUNK = 150;            // pictures decoded per step of a grid
const REPORT_DELAY_MS = 300;       // a slider's value goes to the server once it rests this long
const INSTANCES = new WeakMap();   // parentElement -> view state
const SESSIONS = new Map();        // model hash -> Promise<Engine>
let runtime = null;                // Promise<ort module>

function wasmProblem() {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
    return "WebAssembly is not available in this browser";
  }
  try {   // the smallest valid module: throws where WebAssembly is switched off by policy
    new WebAssembly.Module(Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0));
  } catch (e) {
    return `WebAssembly is disabled (${e.message})`;
  }
  return null;
}

function loadRuntime(assets) {
  if (!runtime) {
    runtime = (async () => {
      const problem = wasmProblem();
      if (problem) throw new Error(problem);
      const ort = await import(new URL(ORT_FILE, assets).href);
      // One thread on the page's own thread: no worker, no SharedArrayBuffer, so no cross-origin
      // isolation is needed; the .wasm comes from the same folder as the script.
      ort.env.wasm.numThreads = 1;
      ort.env.wasm.proxy = false;
      // Only the .wasm's URL (absolute: this module's own is a blob: URL); the bundle carries its loader.
      ort.env.wasm.wasmPaths = {wasm: new URL(WASM_FILE, assets).href};
      return ort;
    })();
    runtime.catch(() => { runtime = null; });   // a later mount may try again
  }
  return runtime;
}

function fromBase64(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

class Engine {
  constructor(ort, session, latentDim) {
    this.ort = ort;
    this.session = session;
    this.latentDim = latentDim;
    this.input = session.inputNames[0];
    this.output = session.outputNames[0];
    this.queue = Promise.resolve();   // one run at a time on a session
  }

  // z: Float32Array of n * latentDim -> Float32Array of n * 784 in [0, 1]
  decode(z, n) {
    const run = async () => {
      const feeds = {[this.input]: new this.ort.Tensor("float32", z, [n, this.latentDim])};
      const out = await this.session.run(feeds);
      return out[this.output].data;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }
}

function engineFor(assets, model, latentDim) {
  if (!SESSIONS.has(model.hash)) {
    if (!model.b64) return null;   // the server sends the bytes again when asked
    const made = (async () => {
      const ort = await loadRuntime(assets);
      const session = await ort.InferenceSession.create(fromBase64(model.b64),
        {executionProviders: ["wasm"], graphOptimizationLevel: "all"});
      return new Engine(ort, session, latentDim);
    })();
    SESSIONS.set(model.hash, made);
    made.catch(() => SESSIONS.delete(model.hash));
  }
  return SESSIONS.get(model.hash);
}

// The latest request wins: while a decode runs, newer requests replace each other, so a fast pointer
// never builds a queue and the picture shows where the pointer is now.
class Latest {
  constructor(work, onError) {
    this.work = work;
    this.onError = onError;
    this.next = null;
    this.busy = false;
  }
  push(request) {
    this.next = request;
    if (!this.busy) this.pump();
  }
  async pump() {
    this.busy = true;
    while (this.next) {
      const request = this.next;
      this.next = null;
      try { await this.work(request); } catch (e) { this.onError(e); }
    }
    this.busy = false;
  }
}

// ------------------------------------------------------------------ drawing

function el(tag, attrs = {}, parent = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  if (parent) parent.appendChild(e);
  return e;
}

// One 28x28 picture from floats in [0, 1] (or bytes 0..255) at (x, y) of a 2-D context: rounded as
// ae.viz.to_uint8 rounds, so the browser's pixels and the library's agree to the last step.
function paint(ctx, values, offset, x, y, image) {
  const d = image.data;
  const bytes = values instanceof Uint8Array;
  for (let i = 0; i < PIXELS; i++) {
    const v = values[offset + i];
    const g = bytes ? v : Math.min(255, Math.max(0, Math.floor(v * 255 + 0.5)));
    d[4 * i] = g; d[4 * i + 1] = g; d[4 * i + 2] = g; d[4 * i + 3] = 255;
  }
  ctx.putImageData(image, x, y);
}

// A picture canvas: 28x28 real pixels enlarged by CSS. data-frames counts paints, data-painted-ms holds
// the page clock at the last one and data-z the code it shows: for tests and the benchmark.
function pictureCanvas(parent, size) {
  const c = el("canvas", {width: 28, height: 28, class: "picture", "data-frames": "0"}, parent);
  c.style.width = c.style.height = `${size}px`;
  return c;
}

function marked(canvas, z = null) {
  if (z) canvas.dataset.z = JSON.stringify(Array.from(z));
  canvas.dataset.frames = String(Number(canvas.dataset.frames || 0) + 1);
  canvas.dataset.paintedMs = String(performance.now());
}

function zAt(origin, dirs, coeffs, out, at) {
  const d = origin.length;
  for (let k = 0; k < d; k++) {
    let s = origin[k];
    for (let j = 0; j < dirs.length; j++) s += coeffs[j] * dirs[j][k];
    out[at + k] = s;
  }
}

function fmt(v) {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

// ------------------------------------------------------------------ views

function buildSliders(st) {
  const {root, data} = st;
  const spec = data.sliders;
  const wrap = el("div", {class: "row"}, root);
  st.picture = pictureCanvas(el("div", {class: "pictures"}, wrap), data.size);
  st.image = st.picture.getContext("2d").createImageData(28, 28);
  const box = el("div", {class: "sliders"}, wrap);
  st.inputs = [];
  st.values = spec.values.slice();
  spec.ranges.forEach(([lo, hi], i) => {
    const line = el("label", {class: "slider"}, box);
    el("span", {class: "name", text: spec.labels[i]}, line);
    const input = el("input", {type: "range", min: lo, max: hi, step: spec.step[i], value: spec.values[i],
      "data-index": i, "aria-label": spec.labels[i]}, line);
    const value = el("span", {class: "value", text: fmt(spec.values[i])}, line);
    input.addEventListener("input", () => {
      st.values[i] = Number(input.value);
      value.textContent = fmt(st.values[i]);
      st.request();
    });
    input.addEventListener("change", () => st.reportSoon("pointed", {values: st.values.slice()}));
    st.inputs.push({input, value});
  });
  st.request = () => {
    if (!st.engine) return;
    const z = new Float32Array(st.data.latent_dim);
    zAt(st.data.sliders.origin, st.data.sliders.directions, st.values, z, 0);
    st.latest.push(async () => {
      const out = await st.engine.decode(z, 1);
      paint(st.picture.getContext("2d"), out, 0, 0, 0, st.image);
      marked(st.picture, z);
    });
  };
  st.update = (data, prev) => {   // the page moved the sliders (e.g. "start from this image")
    if (prev && JSON.stringify(prev.sliders.values) === JSON.stringify(data.sliders.values)) return;
    st.values = data.sliders.values.slice();
    st.inputs.forEach(({input, value}, i) => { input.value = st.values[i]; value.textContent = fmt(st.values[i]); });
  };
  st.showServer = (pixels) => { paint(st.picture.getContext("2d"), pixels, 0, 0, 0, st.image); marked(st.picture); };
}

function buildPlane(st) {
  const {root, data} = st;
  const wrap = el("div", {class: "row"}, root);
  const stack = el("div", {class: "plane"}, wrap);
  const px = data.plane_px;
  st.points = el("canvas", {width: px, height: px, class: "points"}, stack);
  st.overlay = el("canvas", {width: px, height: px, class: "overlay"}, stack);
  stack.style.width = stack.style.height = `${px}px`;
  const side = el("div", {class: "pictures"}, wrap);
  st.picture = pictureCanvas(side, data.size);
  st.image = st.picture.getContext("2d").createImageData(28, 28);
  st.readout = el("div", {class: "readout"}, side);
  st.legend = el("div", {class: "legend"}, root);
  const toPlane = (e) => {
    const r = st.overlay.getBoundingClientRect();
    const [x0, x1] = st.data.plane.x_range, [y0, y1] = st.data.plane.y_range;
    const fx = (e.clientX - r.left) / r.width, fy = (e.clientY - r.top) / r.height;
    return [x0 + fx * (x1 - x0), y1 - fy * (y1 - y0), fx, fy];
  };
  st.overlay.addEventListener("pointermove", (e) => {
    if (!st.engine) return;   // the server's pictures follow clicks only: no mark where nothing is decoded
    const [a, b] = toPlane(e);
    st.point(a, b);
    st.decodeAt(a, b);
  });
  st.overlay.addEventListener("click", (e) => {
    const [a, b] = toPlane(e);
    st.point(a, b);
    st.report("pointed", {at: [a, b]});
  });
  st.point = (a, b) => {   // the marked point, kept when the data changes
    st.at = [a, b];
    st.readout.textContent = `(${fmt(a)}, ${fmt(b)})`;
    st.markAt(a, b);
  };
  st.markAt = (a, b) => {
    const [x0, x1] = st.data.plane.x_range, [y0, y1] = st.data.plane.y_range;
    st.mark((a - x0) / (x1 - x0), (y1 - b) / (y1 - y0));
  };
  st.decodeAt = (a, b) => {
    const p = st.data.plane;
    const z = new Float32Array(st.data.latent_dim);
    zAt(p.origin, [p.u, p.v], [a, b], z, 0);
    st.latest.push(async () => {
      const out = await st.engine.decode(z, 1);
      paint(st.picture.getContext("2d"), out, 0, 0, 0, st.image);
      marked(st.picture, z);
    });
  };
  st.mark = (fx, fy) => {
    const ctx = st.overlay.getContext("2d");
    ctx.clearRect(0, 0, px, px);
    ctx.strokeStyle = "rgba(0, 0, 0, 0.8)";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(fx * px, fy * px, 6, 0, 2 * Math.PI);
    ctx.moveTo(fx * px - 10, fy * px); ctx.lineTo(fx * px + 10, fy * px);
    ctx.moveTo(fx * px, fy * px - 10); ctx.lineTo(fx * px, fy * px + 10);
    ctx.stroke();
  };
  st.request = () => {   // the picture at the marked point (or the window's centre) once the engine is up
    const p = st.data.plane;
    const at = st.at || st.data.marker || [(p.x_range[0] + p.x_range[1]) / 2, (p.y_range[0] + p.y_range[1]) / 2];
    st.decodeAt(at[0], at[1]);
  };
  st.update = (data, prev) => {
    if (prev && JSON.stringify(prev.marker) !== JSON.stringify(data.marker)) st.at = null;   // the page moved it
    drawPoints(st, data);
  };
  st.showServer = (pixels) => { paint(st.picture.getContext("2d"), pixels, 0, 0, 0, st.image); marked(st.picture); };
}

function drawPoints(st, data) {
  const p = data.plane, px = data.plane_px;
  const ctx = st.points.getContext("2d");
  ctx.clearRect(0, 0, px, px);
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, px, px);
  const [x0, x1] = p.x_range, [y0, y1] = p.y_range;
  const sx = px / (x1 - x0), sy = px / (y1 - y0);
  const colors = data.colors;
  ctx.globalAlpha = 0.75;
  for (let i = 0; i < p.points.length; i++) {
    const [a, b] = p.points[i];
    ctx.fillStyle = colors[(p.classes[i] ?? 0) % colors.length];
    ctx.fillRect((a - x0) * sx - 1.5, (y1 - b) * sy - 1.5, 3, 3);
  }
  ctx.globalAlpha = 1;
  ctx.fillStyle = "#444";
  ctx.font = "11px sans-serif";
  ctx.fillText(`x ${fmt(x0)}`, 3, px - 4);   // the window's corners: x along the bottom, y up the left
  ctx.textAlign = "right";
  ctx.fillText(fmt(x1), px - 3, px - 4);
  ctx.textAlign = "left";
  ctx.fillText(`y ${fmt(y0)}`, 3, px - 17);
  ctx.fillText(fmt(y1), 3, 12);
  st.legend.textContent = "";
  (p.class_names || []).forEach((name, c) => {
    const item = el("span", {class: "item"}, st.legend);
    const dot = el("span", {class: "dot"}, item);
    dot.style.background = colors[c % colors.length];
    el("span", {text: name}, item);
  });
  const at = st.at || data.marker;
  if (at) st.markAt(at[0], at[1]);
}

function buildGrid(st) {
  const {root, data} = st;
  st.n = null;   // the size the learner chose with the grid's own slider; null: the page's grid
  const sizes = data.grid.sizes;
  if (sizes) {   // the grid's own size slider: a new size is decoded here, with no rerun
    const line = el("label", {class: "slider grid-size"}, root);
    el("span", {class: "name", text: data.text.grid_size}, line);
    st.sizeInput = el("input", {type: "range", min: 0, max: sizes.length - 1, step: 1,
      "aria-label": data.text.grid_size}, line);
    st.sizeValue = el("span", {class: "value"}, line);
    st.sizeInput.addEventListener("input", () => {
      st.n = st.data.grid.sizes[Number(st.sizeInput.value)][0];
      st.showSize();
      st.request();
    });
    st.sizeInput.addEventListener("change", () => st.reportSoon("size", st.n));
  }
  st.canvas = el("canvas", {class: "grid", "data-frames": "0"}, root);
  st.current = () => {   // {n, xs, ys} of the grid to draw
    const g = st.data.grid;
    const chosen = st.n !== null && g.sizes ? g.sizes.find((e) => e[0] === st.n) : null;
    return chosen ? {n: chosen[0], xs: chosen[1], ys: chosen[2]} : {n: g.xs.length, xs: g.xs, ys: g.ys};
  };
  st.showSize = () => {
    if (!st.sizeInput) return;
    const {n, xs, ys} = st.current();
    st.sizeInput.value = String(st.data.grid.sizes.findIndex((e) => e[0] === n));
    st.sizeValue.textContent = `${xs.length} × ${ys.length}`;
  };
  st.canvas.addEventListener("click", (e) => {
    const r = st.canvas.getBoundingClientRect();
    const {n, xs, ys} = st.current();
    const col = Math.min(xs.length - 1, Math.floor((e.clientX - r.left) / r.width * xs.length));
    const row = Math.min(ys.length - 1, Math.floor((e.clientY - r.top) / r.height * ys.length));
    st.report("pointed", {cell: [row, col], size: st.data.grid.sizes ? n : null});
  });
  st.request = () => {
    if (!st.engine) return;
    const p = st.data.plane, d = st.data.latent_dim;
    const {xs, ys} = st.current();
    const nx = xs.length, ny = ys.length;
    const z = new Float32Array(nx * ny * d);
    // row 0 is the top of the picture: the largest y, as on the plane
    for (let r = 0; r < ny; r++) {
      for (let c = 0; c < nx; c++) zAt(p.origin, [p.u, p.v], [xs[c], ys[ny - 1 - r]], z, (r * nx + c) * d);
    }
    const started = performance.now();
    st.latest.push(async () => {
      // A few rows at a time: the grid fills in from the top while the rest decodes, and a newer grid
      // (another size, another plane) stops this one between chunks instead of waiting for all of it.
      const rows = Math.max(1, Math.floor(GRID_CHUNK / nx));
      st.sizeGrid(nx, ny);
      for (let r0 = 0; r0 < ny; r0 += rows) {
        if (st.latest.next) return;
        const n = Math.min(rows, ny - r0);
        const out = await st.engine.decode(z.subarray(r0 * nx * d, (r0 + n) * nx * d), n * nx);
        st.paintRows(out, nx, r0, n);
        await new Promise((resolve) => setTimeout(resolve, 0));   // lets the browser show these rows
      }
      st.canvas.dataset.shown = `${nx}x${ny}`;
      marked(st.canvas);
      st.canvas.dataset.decodeMs = String(performance.now() - started);
    });
  };
  st.sizeGrid = (nx, ny) => {   // data-shown names the grid once it is complete ("30x30"), "" meanwhile
    const c = st.canvas;
    c.dataset.shown = "";
    if (c.width !== nx * 28 || c.height !== ny * 28) { c.width = nx * 28; c.height = ny * 28; }
    c.style.width = `${Math.min(st.data.grid_px, nx * 28 * 4)}px`;
  };
  st.paintRows = (values, nx, r0, n) => {
    const ctx = st.canvas.getContext("2d");
    const image = ctx.createImageData(28, 28);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < nx; k++) paint(ctx, values, (r * nx + k) * PIXELS, k * 28, (r0 + r) * 28, image);
    }
  };
  st.drawGrid = (values, nx, ny) => {
    st.sizeGrid(nx, ny);
    st.paintRows(values, nx, 0, ny);
    st.canvas.dataset.shown = `${nx}x${ny}`;
    marked(st.canvas);
  };
  st.update = (data, prev) => {   // the page's own grid changed size: it wins over the learner's choice
    if (prev && (prev.grid.xs.length !== data.grid.xs.length || prev.grid.ys.length !== data.grid.ys.length)) {
      st.n = null;
    }
    st.showSize();
  };
  st.showServer = (pixels) => {   // the server decoded the size it was told of last (data.server_size)
    if (st.data.server_size != null) st.n = st.data.server_size;
    st.showSize();
    const {xs, ys} = st.current();
    st.drawGrid(pixels, xs.length, ys.length);
  };
}

const BUILDERS = {sliders: buildSliders, plane: buildPlane, grid: buildGrid};

// ------------------------------------------------------------------ the component

export default function (component) {
  const {data, parentElement, setStateValue} = component;
  let st = INSTANCES.get(parentElement);
  // what the view's elements are built from: when it changes (another view, picture size, slider
  // ranges or labels), the view is built again; anything else is an update of the same elements
  const layout = JSON.stringify([data.view, data.size, data.plane_px,
    data.sliders ? [data.sliders.ranges, data.sliders.labels] : null,
    data.grid && data.grid.sizes ? data.grid.sizes.map((e) => e[0]) : null]);
  if (!st || st.layout !== layout) {
    parentElement.querySelectorAll(".ae-decoder").forEach((n) => n.remove());
    const root = el("div", {class: `ae-decoder view-${data.view}`, "data-status": "loading"}, parentElement);
    st = {view: data.view, layout, root, data, engine: null, reported: {}};
    st.note = el("div", {class: "note"});
    st.latest = new Latest((work) => work(), (e) => st.fail(e));
    st.report = (name, value) => {
      clearTimeout(st.timers[name]);
      const wire = JSON.stringify(value);
      if (st.reported[name] === wire) return;   // a state that did not change costs no rerun
      st.reported[name] = wire;
      st.setStateValue(name, value);
    };
    // Sliders moved by keyboard fire "change" at every step: report once they rest, so the server
    // reruns once, not at every step while the browser is busy decoding.
    st.timers = {};
    st.reportSoon = (name, value) => {
      clearTimeout(st.timers[name]);
      st.timers[name] = setTimeout(() => st.report(name, value), REPORT_DELAY_MS);
    };
    st.fail = (e) => {
      st.engine = null;
      st.root.dataset.status = "unavailable";
      st.note.textContent = st.data.text.unavailable;
      st.root.prepend(st.note);
      st.report("engine", {status: "unavailable", reason: String(e && e.message || e)});
    };
    BUILDERS[data.view](st);
    INSTANCES.set(parentElement, st);
    st.update(data, null);
  } else {
    const prev = st.data;
    st.data = data;
    st.update(data, prev);
  }
  st.setStateValue = setStateValue;
  st.data = data;

  if (data.server) {   // the server decoded (WebAssembly unavailable here): paint what it sent
    st.root.dataset.status = "unavailable";
    st.note.textContent = data.text.unavailable;
    st.root.prepend(st.note);
    st.showServer(fromBase64(data.server));
    return;
  }
  if (st.root.dataset.status === "unavailable") return;
  const assets = new URL(data.assets, window.location.href).href;
  const made = engineFor(assets, data.model, data.latent_dim);
  if (!made) {   // the server left the model out, thinking we had it: ask again
    st.report("engine", {status: "missing", model: null});
    return;
  }
  // what the pictures depend on: the same model and numbers again (the server only left the model's
  // bytes out, or reran for another reason) need no new decode
  const spec = JSON.stringify({...data, model: data.model.hash});
  made.then((engine) => {
    if (st.data.model.hash !== data.model.hash) return;   // a newer model arrived meanwhile
    const same = st.engine === engine && st.spec === spec;
    st.engine = engine;
    st.spec = spec;
    st.root.dataset.status = "ready";
    st.note.remove();
    st.report("engine", {status: "ready", model: data.model.hash});
    if (!same) st.request();
  }, (e) => st.fail(e));
}
