// The real adapters the core runs on, for the CLI and the library API. Each module is loaded when
// first used: undici only when sending, node:http's server only when listening.
import type { CreateHttpSender } from "../core/delivery/http-client.js";
import type { ListenPorts } from "../core/receiving/ports.js";

export { nodeFiles } from "./files.js";

export const createSender: CreateHttpSender = async (options) =>
  (await import("./http-sender.js")).createHttpSender(options);

export const listenPorts: ListenPorts = {
  startServer: async (options) => (await import("./http-server.js")).startReceiverServer(options),
  openRecorder: async (file) => (await import("./recorder.js")).openRecorder(file),
  createForwarder: async (options) => (await import("./forwarder.js")).createForwarder(options),
};
