// npm run bundle: the CLI (dist/cli/main.js, compiled by tsc) bundled into a few files in
// dist/bundle. Start-up is mostly module loading, so the bundle is made to load little:
// - split, so what only some runs need (the live UI, the server, undici) stays in files of its own;
// - whitespace and syntax minified (names kept, so a --debug stack trace still reads): less source
//   to decode and parse at every start;
// - commander's `require("node:child_process")`, which it needs only for executable subcommands
//   (this CLI has none), is deferred to first use: loading it (and net, stream) costs every run.
import { cpSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const outdir = join(root, "dist", "bundle");

/** commander's child_process, loaded the first time one of its functions is used. */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: "child_process", namespace: "lazy" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
      contents: `let real;
module.exports = new Proxy({}, { get: (_, key) => (real ??= require("node:child_process"))[key] });`,
      loader: "js",
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, "dist", "cli", "main.js")],
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir,
  external: ["undici", "ink", "react"],
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
  plugins: [lazyChildProcess],
  // The bundled CommonJS (commander) calls require(): ESM has none of its own.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
});

// The web inspector's page, served from dist/web/page/ by src/web/server.ts: its modules bundled
// into one page.js for the browser (no framework: the DOM's own API, text only), the HTML and
// CSS copied. Nothing is fetched from elsewhere at run time.
const page = join(root, "src", "web", "page");
const pageOut = join(root, "dist", "web", "page");
rmSync(pageOut, { recursive: true, force: true });
await build({
  entryPoints: [join(page, "main.js")],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "chrome120",
  outfile: join(pageOut, "page.js"),
  minify: true,
  logLevel: "warning",
});
for (const file of ["index.html", "page.css"]) cpSync(join(page, file), join(pageOut, file));
