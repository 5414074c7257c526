/** --cdn cloudfront:<distribution id>. The CloudFront SDK is loaded only when a CDN is used. */
import { requestTimeoutMs } from "../options.js";
import type { CdnBackend } from "./backend.js";

export const cloudFrontBackend: CdnBackend = {
  scheme: "cloudfront",
  usage: "cloudfront:<distribution id>, e.g. cloudfront:E2ABCDEF123456 (the infrastructure stack outputs it)",
  help: "cloudfront:<distribution id>",
  parse(value) {
    const distributionId = /^cloudfront:([A-Z0-9]{6,32})$/.exec(value)?.[1];
    if (distributionId === undefined) return undefined;
    return {
      description: `cloudfront:${distributionId}`,
      async connect({ flags }) {
        const timeoutMs = requestTimeoutMs(flags);
        const [{ CloudFrontCdn }, { cloudFrontClient }] = await Promise.all([
          import("../../cdn/cloudfront.js"),
          import("../../aws/clients.js"),
        ]);
        return new CloudFrontCdn(cloudFrontClient({ requestTimeoutMs: timeoutMs }), distributionId);
      },
    };
  },
};
