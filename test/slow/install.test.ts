// (slow project: npm installs take the machine for seconds, which would starve timed UI tests)
// The README's Install section, as a user would follow it in an empty project: the packed tarball
// and the checkout folder each give a working `npx ticket-hooks`, and the library loads from
// CommonJS through `await import()`. npm installs the dependencies from its cache when it can.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, tempDir } from "../helpers/cli.js";

const VERSION = JSON.parse(
  execFileSync("npm", ["pkg", "get", "version"], { cwd: ROOT }).toString(),
);
const tmp = tempDir();
afterAll(() => tmp.cleanup());

const NPM_QUIET = ["--no-audit", "--no-fund", "--prefer-offline"];

/** An empty npm project with `spec` installed as a dev dependency; the install's stderr. */
function projectWith(name: string, spec: string): { dir: string; stderr: string } {
  const dir = join(tmp.dir, name);
  execFileSync("mkdir", ["-p", dir]);
  writeFileSync(join(dir, "package.json"), `{"name":"${name}","version":"1.0.0","private":true}\n`);
  const install = spawnSync("npm", ["install", "--save-dev", spec, ...NPM_QUIET], {
    cwd: dir,
    encoding: "utf8",
  });
  expect(install.status, install.stderr).toBe(0);
  return { dir, stderr: install.stderr };
}

function npx(dir: string, ...args: string[]) {
  return spawnSync("npx", ["--no-install", "ticket-hooks", ...args], {
    cwd: dir,
    encoding: "utf8",
  });
}

describe("installing ticket-hooks in a project", () => {
  it("from a packed tarball: npx ticket-hooks works, and CommonJS loads the library", () => {
    // The build is fresh (global setup): pack it as it is.
    execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", tmp.dir, "--silent"], {
      cwd: ROOT,
    });
    const tarball = readdirSync(tmp.dir).find((f) => f.endsWith(".tgz")) as string;
    expect(tarball).toBe(`ticket-hooks-${VERSION}.tgz`);
    const { dir, stderr } = projectWith("from-tarball", join(tmp.dir, tarball));
    // As the README says: npm 11.16+ may list ticket-hooks' own prepare (not run for a tarball),
    // and nothing else.
    const listed = stderr.split("\n").filter((l) => /^npm warn install-scripts {3}\S/.test(l));
    expect(
      listed.every((l) => l.includes("ticket-hooks@") && l.includes("prepare")),
      stderr,
    ).toBe(true);
    expect(stderr).not.toMatch(/EBADENGINE|deprecated/);
    const version = npx(dir, "--version");
    expect(version.stdout.trim()).toBe(VERSION);
    const dry = npx(dir, "send", "created", "--dry-run");
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("POST http://localhost:3000/");
    writeFileSync(
      join(dir, "load.cjs"),
      'import("ticket-hooks").then((m) => console.log(typeof m.listen, typeof m.send));\n',
    );
    const cjs = spawnSync(process.execPath, ["load.cjs"], { cwd: dir, encoding: "utf8" });
    expect(cjs.stdout.trim(), cjs.stderr).toBe("function function");
    const required = spawnSync(process.execPath, ["-e", 'require("ticket-hooks")'], {
      cwd: dir,
      encoding: "utf8",
    });
    // ESM only: require() is refused (Node 20) or loads it (Node 22+ require(esm)); never a crash
    // inside the package.
    expect(required.stderr).not.toMatch(/ticket-hooks\/dist\/.*Error/);
  }, 180_000);

  it("from a checkout folder (built by its npm install): npx ticket-hooks works", () => {
    const { dir } = projectWith("from-folder", ROOT);
    const version = npx(dir, "--version");
    expect(version.stdout.trim(), version.stderr).toBe(VERSION);
  }, 180_000);
});
