// Saves the A型 diagram as PNG: the SVG drawn onto a canvas in the browser, with the fonts the
// browser has, so the server needs none.
"use strict";
(() => {
  const button = document.getElementById("diagram-png");
  const svg = document.querySelector("#diagram svg");
  if (!button || !svg) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const width = svg.viewBox.baseVal.width;
    const height = svg.viewBox.baseVal.height;
    const image = new Image();
    const source = new XMLSerializer().serializeToString(svg);
    image.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = width * 2;
      canvas.height = height * 2;
      const context = canvas.getContext("2d");
      context.scale(2, 2);
      context.drawImage(image, 0, 0, width, height);
      canvas.toBlob((blob) => {
        const link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = button.dataset.name;
        link.click();
        setTimeout(() => URL.revokeObjectURL(link.href), 1000);
      }, "image/png");
    };
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(source)}`;
  });
})();
