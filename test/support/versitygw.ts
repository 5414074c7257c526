/** The S3 stand-in (release/src/rehearse/stand-ins/s3.ts) with the pinned versitygw. */
import { type S3StandIn, startVersitygw as startWith } from "../../release/src/rehearse/stand-ins/s3.js";
import { toolPath } from "./tools.js";

export {
  type S3StandIn,
  TEST_ACCESS_KEY,
  TEST_REGION,
  TEST_SECRET_KEY,
} from "../../release/src/rehearse/stand-ins/s3.js";

export interface VersitygwOptions {
  /** Keep object versions (buckets still need PutBucketVersioning, as on S3). Default false. */
  versioning?: boolean;
}

export function startVersitygw(options: VersitygwOptions = {}): Promise<S3StandIn> {
  return startWith({ binary: toolPath("versitygw"), ...options });
}
