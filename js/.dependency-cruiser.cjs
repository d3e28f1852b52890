/**
 * The rooms of js/src (see docs/architecture.md), checked by `npm run deps` in .ci/run:
 * page/ > widget.ts > ui/ > draw/ > data/ > core/ > types.ts. A module imports only rooms
 * below its own (and its own room), types.ts imports nothing, and nothing imports in a circle.
 * page/ is the exported file's entry: the widget with its kernel answered in the page.
 */
const room = (name) => `^src/${name}/`;
const above = {
  core: ["data", "draw", "ui"],
  data: ["draw", "ui"],
  draw: ["data", "ui"],
};  // ui/ may import every room but the widget
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Modules that import each other, directly or not.",
      from: {},
      to: { circular: true },
    },
    {
      name: "types-import-nothing",
      severity: "error",
      comment: "types.ts holds the shared types so that every module can use them.",
      from: { path: "^src/types\\.ts$" },
      to: { path: "^src/" },
    },
    {
      name: "nothing-imports-the-widget",
      severity: "error",
      comment: "widget.ts is the top of the notebook's bundle: it mounts the rooms.",
      from: { path: "^src/", pathNot: "^src/page/" },
      to: { path: "^src/widget\\.ts$" },
    },
    {
      name: "nothing-imports-the-page",
      severity: "error",
      comment: "page/ is the exported file's entry: it sits above the widget.",
      from: { path: "^src/", pathNot: "^src/page/" },
      to: { path: "^src/page/" },
    },
    ...Object.entries(above).map(([from, upper]) => ({
      name: `${from}-imports-no-room-above-it`,
      severity: "error",
      comment: `${from}/ may import ${["core", "data", "draw", "ui"].filter((r) => r !== from && !upper.includes(r)).join(", ") || "no other room"} and types.ts.`,
      from: { path: room(from) },
      to: { path: upper.length ? `^src/(${upper.join("|")})/` : "^$" },
    })),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.test\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
