// undici's Pool alone: importing "undici" loads its whole index (fetch, WebSocket, cache, mocks),
// several times the module-loading time of the pool the sender uses. The class is the same.
declare module "undici/lib/dispatcher/pool.js" {
  import type { Pool } from "undici";

  const PoolClass: typeof Pool;
  export default PoolClass;
}
