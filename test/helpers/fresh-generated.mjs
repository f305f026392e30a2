// vitest global setup of the unit project: src/generated/ made anew when a schema changed.
import { freshGenerated } from "./fresh-build.mjs";

export default function setup() {
  freshGenerated();
}
