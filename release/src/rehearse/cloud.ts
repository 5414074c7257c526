/**
 * The local stand-ins of everything a release talks to, started together: the distribution
 * registry with token auth for ghcr.io, versitygw for the S3 bucket, Varnish with the CloudFront
 * API stand-in for the CDN. A test may keep one cloud for several rehearsals (a second release
 * meets what the first published) and break parts of it (registry down, CDN API failing).
 */
import { randomBytes } from "node:crypto";
import { type GeneratedSigningKey, generateSigningKey } from "../provenance/keys.js";
import { type CdnStandIn, startCdnStandIn } from "./stand-ins/cdn.js";
import { type RegistryStandIn, startRegistry } from "./stand-ins/registry.js";
import { type S3StandIn, startVersitygw } from "./stand-ins/s3.js";

export interface CloudTools {
  registry: string;
  versitygw: string;
  varnishd: string;
}

export interface RehearsalCloud {
  registry: RegistryStandIn;
  s3: S3StandIn;
  cdn: CdnStandIn;
  bucket: string;
  /** The image repository that stands for ghcr.io/alto9/kube9-operator. */
  image: string;
  /** The role configure-aws-credentials is asked for. */
  publisherRoleArn: string;
  /**
   * Where the publisher's S3 requests go; tests point it at a fault-injecting proxy in front of
   * `s3.endpoint`.
   */
  publisherS3Endpoint: string;
  /**
   * The chart signing key of this cloud's repository, standing in for the maintainers' key: one
   * per cloud, since the repository serves its public key and refuses any other.
   */
  chartSigningKey: GeneratedSigningKey;
  /** The repository variables a release reads (vars.*). */
  vars(): Record<string, string>;
  /** The secrets of the `release` environment (docs/releasing.md): the chart signing key and its passphrase. */
  releaseEnvironmentSecrets(): Record<string, string>;
  /** What configure-aws-credentials hands out. */
  awsEnv(): Record<string, string>;
  stop(): Promise<void>;
}

export const PRODUCTION_IMAGE = "ghcr.io/alto9/kube9-operator";

export async function startRehearsalCloud(tools: CloudTools): Promise<RehearsalCloud> {
  const chartSigningKey = await generateSigningKey(
    "kube9 rehearsal chart signing",
    "rehearsal@kube9.invalid",
    randomBytes(12).toString("hex"),
  );
  const registry = await startRegistry({ binary: tools.registry });
  const s3 = await startVersitygw({ binary: tools.versitygw }).catch(async (error: unknown) => {
    await registry.stop();
    throw error;
  });
  const bucket = `kube9-charts-${randomBytes(3).toString("hex")}`;
  let cdn: CdnStandIn;
  try {
    await s3.createBucket(bucket);
    cdn = await startCdnStandIn({ varnishd: tools.varnishd, client: s3.client(), bucket, prefix: "" });
  } catch (error) {
    await Promise.all([registry.stop(), s3.stop()]);
    throw error;
  }
  const cloud: RehearsalCloud = {
    registry,
    s3,
    cdn,
    bucket,
    image: `${registry.host}/alto9/kube9-operator`,
    publisherRoleArn: "arn:aws:iam::000000000000:role/kube9-charts-publisher",
    publisherS3Endpoint: s3.endpoint,
    chartSigningKey,
    vars: () => ({
      KUBE9_CHART_SIGNING_FINGERPRINT: chartSigningKey.fingerprint,
      KUBE9_IMAGE: cloud.image,
      KUBE9_CHARTS_BUCKET: bucket,
      KUBE9_CHARTS_DISTRIBUTION_ID: cdn.distributionId,
      KUBE9_CHARTS_URL: cdn.url,
      KUBE9_PUBLISHER_ROLE_ARN: cloud.publisherRoleArn,
    }),
    releaseEnvironmentSecrets: () => ({
      KUBE9_SIGNING_KEY: chartSigningKey.armoredPrivateKey,
      KUBE9_SIGNING_PASSPHRASE: chartSigningKey.passphrase,
    }),
    awsEnv: () => ({
      ...s3.env,
      AWS_ENDPOINT_URL_S3: cloud.publisherS3Endpoint,
      AWS_ENDPOINT_URL_CLOUDFRONT: cdn.apiEndpoint,
    }),
    stop: async () => {
      await Promise.allSettled([cdn.stop(), registry.stop()]);
      await s3.stop();
    },
  };
  return cloud;
}
