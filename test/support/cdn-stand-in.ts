/** The CDN stand-in (release/src/rehearse/stand-ins/cdn.ts) with the pinned Varnish. */
import type { S3Client } from "@aws-sdk/client-s3";
import { type CdnStandIn, startCdnStandIn as startWith } from "../../release/src/rehearse/stand-ins/cdn.js";
import { toolPath } from "./tools.js";

export {
  type BucketOrigin,
  type CdnStandIn,
  edgeCacheVcl,
  startBucketOrigin,
} from "../../release/src/rehearse/stand-ins/cdn.js";

export function startCdnStandIn(client: S3Client, bucket: string, prefix: string): Promise<CdnStandIn> {
  return startWith({ varnishd: toolPath("varnish"), client, bucket, prefix });
}
