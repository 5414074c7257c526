/**
 * CloudFront in front of the chart bucket: one cache policy per kind of object, HTTPS only,
 * security headers on every answer. Lifetimes, path patterns, compression and headers come from
 * the repository policy that kube9-release writes and serves by (@kube9/release/policy).
 */
import {
  ARCHIVE,
  CONTENT_SECURITY_POLICY,
  durationInWords,
  FRAME_OPTIONS,
  INDEX,
  type ObjectKind,
  OTHER_OBJECT,
  WRITTEN_KINDS,
} from "@kube9/release/policy";
import { Duration, Validations } from "aws-cdk-lib";
import type * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import type * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

/** The path pattern of a kind's own behaviour (the policy gives one to archives, provenance and the index). */
function pathPatternOf(kind: ObjectKind): string {
  if (kind.cdnPathPattern === undefined) throw new Error(`the policy gives ${kind.name} no CDN path`);
  return kind.cdnPathPattern;
}

export const INDEX_PATH = pathPatternOf(INDEX);
export const ARCHIVE_TTL = Duration.seconds(ARCHIVE.cache.maxAgeSeconds);
export const INDEX_TTL = Duration.seconds(INDEX.cache.maxAgeSeconds);

export interface ChartDistributionProps {
  readonly bucket: s3.IBucket;
  readonly domainName: string;
  /** Must be in us-east-1 (CloudFront reads certificates from nowhere else). */
  readonly certificate: acm.ICertificate;
}

export class ChartDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: ChartDistributionProps) {
    super(scope, id);

    // READ and LIST: without ListBucket S3 answers a missing key with 403, which Helm reports as
    // an access problem instead of "not found".
    const origin = origins.S3BucketOrigin.withOriginAccessControl(props.bucket, {
      originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
    });

    // A published archive never changes (its digest is in the index), so the edge keeps it its
    // whole lifetime even if the origin says otherwise; it is already gzip, compressing it again
    // is waste.
    const archiveCache = new cloudfront.CachePolicy(this, "ArchiveCache", {
      comment: `chart archives and provenance: immutable, ${durationInWords(ARCHIVE.cache.maxAgeSeconds)}, no compression`,
      defaultTtl: ARCHIVE_TTL,
      minTtl: ARCHIVE_TTL,
      maxTtl: ARCHIVE_TTL,
      enableAcceptEncodingGzip: ARCHIVE.compressible,
      enableAcceptEncodingBrotli: ARCHIVE.compressible,
    });

    // The index changes on every release: at most its lifetime stale at the edge (the publisher
    // also invalidates it), compressed for clients that ask (it shrinks about 14x). The origin's
    // own Cache-Control can shorten it (minimum 0).
    const indexCache = new cloudfront.CachePolicy(this, "IndexCache", {
      comment: `index.yaml: ${durationInWords(INDEX.cache.maxAgeSeconds)}, gzip and brotli`,
      defaultTtl: INDEX_TTL,
      minTtl: Duration.seconds(0),
      maxTtl: INDEX_TTL,
      enableAcceptEncodingGzip: INDEX.compressible,
      enableAcceptEncodingBrotli: INDEX.compressible,
    });
    // A kind with its own behaviour gets the cache policy of its lifetime; everything else takes
    // the default behaviour, the index's, so the policy must give it the index's lifetime. A
    // third lifetime is a third cache policy to add here.
    const cachePolicyOf = (kind: ObjectKind): cloudfront.CachePolicy => {
      if (kind.cache === ARCHIVE.cache) return archiveCache;
      if (kind.cache === INDEX.cache) return indexCache;
      throw new Error(`the repository policy gives ${kind.name} a lifetime no cache policy has: add one`);
    };
    for (const kind of [...WRITTEN_KINDS, OTHER_OBJECT]) {
      if (kind.cdnPathPattern === undefined && kind.cache !== INDEX.cache) {
        throw new Error(`the repository policy gives ${kind.name} its own lifetime but no CDN path`);
      }
    }

    const headers = new cloudfront.ResponseHeadersPolicy(this, "SecurityHeaders", {
      comment: "HSTS, nosniff, CSP and frame denial on every answer of the chart repository",
      securityHeadersBehavior: {
        // Nothing a browser loads from the repository may run, load anything or be framed: the
        // files are data for Helm, and a writer's wrong Content-Type must not turn one into a page.
        contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
        frameOptions: { frameOption: frameOption(FRAME_OPTIONS), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: false,
          override: true,
        },
        contentTypeOptions: { override: true },
      },
    });

    const behaviour = (cachePolicy: cloudfront.ICachePolicy): cloudfront.BehaviorOptions => ({
      origin,
      cachePolicy,
      responseHeadersPolicy: headers,
      // Helm follows redirects, so an http:// repository URL still ends up on HTTPS.
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      // Compression needs the Accept-Encoding the cache policy forwards; archives are gzip already.
      compress: cachePolicy !== archiveCache,
    });

    this.distribution = new cloudfront.Distribution(this, "Distribution", {
      comment: `Helm chart repository ${props.domainName}`,
      // Everything but an archive and its provenance may change (index.yaml, artifacthub-repo.yml,
      // the public key), so the default keeps the short TTL too.
      defaultBehavior: behaviour(indexCache),
      // With LIST granted, GET / would answer with the bucket listing; the index is what a
      // browser or a curious client should see there instead.
      defaultRootObject: INDEX_PATH,
      additionalBehaviors: Object.fromEntries(
        WRITTEN_KINDS.filter((kind) => kind.cdnPathPattern !== undefined).map((kind) => [
          pathPatternOf(kind),
          behaviour(cachePolicyOf(kind)),
        ]),
      ),
      domainNames: [props.domainName],
      certificate: props.certificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
    });
    // CDK warns on every LIST grant, whatever the distribution does about it; this one does it.
    Validations.of(this.distribution).acknowledge({
      id: "Annotation::@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk",
      reason:
        "defaultRootObject is index.yaml, so GET / never returns the bucket listing; LIST is granted " +
        "only so that a missing key is a 404 instead of a 403.",
    });
  }
}

function frameOption(value: string): cloudfront.HeadersFrameOption {
  const option = Object.values(cloudfront.HeadersFrameOption).find((candidate) => candidate === value);
  if (option === undefined) throw new Error(`X-Frame-Options ${value} is not one CloudFront can send`);
  return option;
}
