/**
 * Loads the live UI (Ink and React) on first use. React runs its production build unless
 * NODE_ENV says otherwise: its development build checks every element it makes, which costs
 * a large recording's UI most of its time.
 */
export async function loadUi(): Promise<typeof import("../ui/run.js")> {
  process.env.NODE_ENV ??= "production";
  return import("../ui/run.js");
}
