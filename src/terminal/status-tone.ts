/** The colour of an HTTP status, everywhere: green 2xx, yellow 3xx–4xx, red 5xx or no answer. */
export function statusTone(status: number | null): "red" | "yellow" | "green" {
  if (status === null || status >= 500) return "red";
  if (status >= 300) return "yellow";
  return "green";
}
