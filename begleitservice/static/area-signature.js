/* The signature field of "Mein Bereich": signature_pad (vendor/) on the canvas, its PNG into the hidden field. */
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.querySelector("canvas[data-signature]");
  if (!canvas || !window.SignaturePad) return;
  const input = document.getElementById(canvas.dataset.signature);
  const pad = new window.SignaturePad(canvas, { penColor: "#1b1f24", minWidth: 1, maxWidth: 3 });

  function fit() {
    // The canvas is as wide as the column; its pixels follow the screen's density, the drawing is kept.
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const strokes = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(strokes);
  }

  function store() {
    input.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  }

  window.addEventListener("resize", fit);
  fit();
  pad.addEventListener("endStroke", store);
  const clear = document.querySelector("[data-signature-clear]");
  if (clear) {
    clear.addEventListener("click", () => {
      pad.clear();
      store();
    });
  }
  canvas.closest("form").addEventListener("submit", store);
});
