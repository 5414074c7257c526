/** Free loopback ports, servers of this process, readiness polling: the stand-ins' own helpers, for every test. */
export {
  closeServer,
  freePort,
  listen,
  stopChild,
  waitForHttp,
} from "../../release/src/rehearse/stand-ins/net.js";
