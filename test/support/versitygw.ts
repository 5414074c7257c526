/** The S3 stand-in (release/src/rehearse/stand-ins/s3.ts) with the pinned versitygw. */
import { type S3StandIn, startVersitygw as startWith } from "../../release/src/rehearse/stand-ins/s3.js";
import { toolPath } from "./tools.js";

export {
  freePort,
  type S3StandIn,
  TEST_ACCESS_KEY,
  TEST_REGION,
  TEST_SECRET_KEY,
} from "../../release/src/rehearse/stand-ins/s3.js";

export function startVersitygw(): Promise<S3StandIn> {
  return startWith({ binary: toolPath("versitygw") });
}
