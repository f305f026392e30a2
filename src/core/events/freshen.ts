import { isPlainObject } from "../json.js";
import { type Entropy, systemEntropy } from "./ids.js";

type Obj = Record<string, unknown>;

function timestampSlots(event: Obj): Array<[Obj, string]> {
  const slots: Array<[Obj, string]> = [];
  const data = isPlainObject(event.data) ? event.data : undefined;
  const ticket = data && isPlainObject(data.ticket) ? data.ticket : undefined;
  if (ticket) {
    slots.push([ticket, "created_at"], [ticket, "updated_at"]);
    if (Array.isArray(ticket.replies)) {
      for (const r of ticket.replies) if (isPlainObject(r)) slots.push([r, "created_at"]);
    }
  }
  if (data && isPlainObject(data.reply)) slots.push([data.reply, "created_at"]);
  return slots.filter(([o, k]) => typeof o[k] === "number");
}

export interface FreshenOptions {
  /** Also give the ticket and its replies new ids. */
  newTicket?: boolean;
  entropy?: Partial<Entropy>;
}

/**
 * `--fresh`: a new event_id, and every timestamp shifted by the same amount so the newest is now
 * (their order and gaps are kept). `--new-ticket` also replaces the ticket id and reply ids,
 * keeping `data.reply` pointing at the same reply.
 */
export function freshen(event: unknown, options: FreshenOptions = {}): unknown {
  if (!isPlainObject(event)) return event;
  const entropy = { ...systemEntropy(), ...options.entropy };
  const out = structuredClone(event);
  out.event_id = entropy.eventId();
  const slots = timestampSlots(out);
  if (slots.length > 0) {
    const newest = Math.max(...slots.map(([o, k]) => o[k] as number));
    const shift = entropy.now() - newest;
    for (const [o, k] of slots) o[k] = (o[k] as number) + shift;
  }
  if (options.newTicket) {
    const data = out.data as Obj | undefined;
    const ticket = data && isPlainObject(data.ticket) ? data.ticket : undefined;
    if (ticket) ticket.id = entropy.uuid();
    const ids = new Map<unknown, string>();
    const renew = (reply: unknown) => {
      if (!isPlainObject(reply)) return;
      const next = ids.get(reply.id) ?? entropy.uuid();
      ids.set(reply.id, next);
      reply.id = next;
    };
    if (ticket && Array.isArray(ticket.replies)) ticket.replies.forEach(renew);
    if (data) renew(data.reply);
  }
  return out;
}
