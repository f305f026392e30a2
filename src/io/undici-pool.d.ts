// undici's Pool alone: importing "undici" loads its whole index (fetch, WebSocket, cache, mocks),
// several times the module-loading time of the pool the sender uses. The class is the same.
declare module "undici/lib/dispatcher/pool.js" {
  import type { Pool } from "undici";

  const PoolClass: typeof Pool;
  export default PoolClass;
}

// The forwarder's keep-alive agent and undici's request() alone, for the same reason.
declare module "undici/lib/dispatcher/agent.js" {
  import type { Agent } from "undici";

  const AgentClass: typeof Agent;
  export default AgentClass;
}

declare module "undici/lib/api/api-request.js" {
  import type { Dispatcher } from "undici";

  /** Called with the dispatcher as `this`, the origin and path in the options. */
  function request(
    this: Dispatcher,
    options: Dispatcher.RequestOptions,
  ): Promise<Dispatcher.ResponseData>;
  export default request;
}
