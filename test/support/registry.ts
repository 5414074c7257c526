/** The registry stand-in (release/src/rehearse/stand-ins/registry.ts) with the pinned binary. */
import {
  type RegistryStandIn,
  startRegistry as startRegistryWith,
} from "../../release/src/rehearse/stand-ins/registry.js";
import { toolPath } from "./tools.js";

export type TestRegistry = RegistryStandIn;

export function startRegistry(): Promise<TestRegistry> {
  return startRegistryWith({ binary: toolPath("docker-registry") });
}
