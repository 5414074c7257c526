/** The rehearsal's stand-in cloud started with the pinned tools of the tool cache. */
import { type RehearsalCloud, startRehearsalCloud } from "../../release/src/rehearse/cloud.js";
import { toolPath } from "./tools.js";

export function startPinnedRehearsalCloud(): Promise<RehearsalCloud> {
  return startRehearsalCloud({
    registry: toolPath("docker-registry"),
    versitygw: toolPath("versitygw"),
    varnishd: toolPath("varnish"),
  });
}
