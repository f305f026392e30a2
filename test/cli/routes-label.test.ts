import { describe, expect, it } from "vitest";
import { routesLabel } from "../../src/cli/listen-options.js";

describe("the UI header with routes", () => {
  it("names each route's events and app, and where the others go", () => {
    const routes = [
      {
        events: ["whitelabel-ticket-created", "whitelabel-ticket-assigned"],
        url: "http://localhost:3000/a",
        label: "--forward created,assigned=http://localhost:3000/a",
      },
      {
        events: ["whitelabel-ticket-resolved"],
        url: "http://localhost:4000/b",
        label: "--forward resolved=http://localhost:4000/b",
      },
    ];
    expect(routesLabel(routes, undefined)).toBe(
      "created,assigned → http://localhost:3000/a · resolved → http://localhost:4000/b",
    );
    expect(routesLabel(routes, "http://localhost:5000/")).toBe(
      "created,assigned → http://localhost:3000/a · resolved → http://localhost:4000/b · others → http://localhost:5000/",
    );
    expect(routesLabel(undefined, "http://localhost:5000/")).toBe("http://localhost:5000/");
    expect(routesLabel([], undefined)).toBeUndefined();
  });
});
