// An example Loupe plugin: a "stars" panel for numbers between 0 and 1
// (scores, probabilities), shown as five stars. Load it with
//   ?table=…&plugin=plugins/stars.js
// The page asks before running it. A plugin module's default export is a list
// of panels: { name, accepts: [kinds], level: "cell", priority?, render(element, value, context) }.
// `value` is the cell as W&B JSON; `context.column` is the column's name.
// Use textContent / DOM APIs: never innerHTML with data.
export default [
  {
    name: "stars",
    accepts: ["number"],
    level: "cell",
    priority: -1, // offered in "show as", not the default
    render(element, value, context) {
      const x = typeof value === "number" ? Math.max(0, Math.min(1, value)) : 0;
      const full = Math.round(x * 5);
      const span = document.createElement("span");
      span.className = "stars";
      span.dataset.stars = String(full);
      span.title = `${context.column}: ${value}`;
      span.textContent = "★".repeat(full) + "☆".repeat(5 - full);
      element.replaceChildren(span);
    },
  },
];
