/**
 * The synthesized template of the chart repository stack: bucket, bucket policy, CloudFront,
 * DNS, certificate and outputs, for the minimal settings and for every optional one given.
 */
import { ARCHIVE, INDEX, OTHER_OBJECT, SECURITY_HEADERS, WRITTEN_KINDS } from "@kube9/release/policy";
import { type CfnElement, Stack } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { OUTPUT_KEYS, STACK_NAME } from "../lib/names.js";
import { CERTIFICATE_ARN, FULL_CONTEXT, MINIMAL_CONTEXT, only, synthesize } from "./synth.js";

const minimal = synthesize(MINIMAL_CONTEXT);
const full = synthesize(FULL_CONTEXT);

/** A resource by the construct that made it (the template has two buckets and two bucket policies). */
function resourceOf(construct: { node: { defaultChild?: unknown } }) {
  const logicalId = minimal.stack.resolve(
    minimal.stack.getLogicalId(construct.node.defaultChild as CfnElement),
  ) as string;
  const resource = minimal.template.toJSON().Resources[logicalId] as {
    Properties: Record<string, unknown>;
    DeletionPolicy?: string;
    UpdateReplacePolicy?: string;
  };
  return { logicalId, properties: resource.Properties, resource };
}
const bucket = resourceOf(minimal.stack.chartBucket.bucket);
const bucketArn = { "Fn::GetAtt": [bucket.logicalId, "Arn"] };
const keysOf = (suffix: string) => ({ "Fn::Join": ["", [bucketArn, suffix]] });
const distribution = only(minimal.template, "AWS::CloudFront::Distribution");
const config = distribution.properties.DistributionConfig as Record<string, unknown>;

/** Every value of a key anywhere in a JSON document. */
function valuesOf(node: unknown, key: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((child) => valuesOf(child, key));
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node).flatMap(([k, v]) => [...(k === key ? [v] : []), ...valuesOf(v, key)]);
}

describe("stack", () => {
  it("is one stack with an explicit account and us-east-1", () => {
    expect(minimal.stack.stackName).toBe(STACK_NAME);
    expect(minimal.stack.account).toBe(MINIMAL_CONTEXT.account);
    expect(minimal.stack.region).toBe("us-east-1");
    expect(minimal.app.node.findAll().filter((c) => Stack.isStack(c))).toEqual([minimal.stack]);
  });

  it.each([
    ["minimal", minimal],
    ["full", full],
  ])("has no Fn::ImportValue, no export and no parameter in the %s template", (_name, synthesized) => {
    expect(valuesOf(synthesized.json, "Fn::ImportValue")).toEqual([]);
    expect(valuesOf(synthesized.json, "Export")).toEqual([]);
    expect(JSON.stringify(synthesized.json)).not.toContain("ImportValue");
    // Only the bootstrap version check CDK adds itself; no setting is left for deploy time.
    expect(Object.keys((synthesized.json.Parameters as object | undefined) ?? {})).toEqual([
      "BootstrapVersion",
    ]);
  });
});

describe("deletion", () => {
  it("has termination protection on, in the cloud assembly the CLI deploys", () => {
    expect(minimal.stack.terminationProtection).toBe(true);
    const artifact = minimal.app.synth().getStackByName(minimal.stack.stackName);
    expect(artifact.terminationProtection).toBe(true);
  });
});

describe("write audit trail", () => {
  const trail = () => only(minimal.template, "AWS::CloudTrail::Trail").properties;

  it("records every write data event of the chart bucket, and no management events", () => {
    expect(trail().EventSelectors).toEqual([
      {
        DataResources: [
          {
            Type: "AWS::S3::Object",
            Values: [{ "Fn::Join": ["", [{ "Fn::GetAtt": [bucket.logicalId, "Arn"] }, "/"]] }],
          },
        ],
        IncludeManagementEvents: false,
        ReadWriteType: "WriteOnly",
      },
    ]);
    expect(trail()).toMatchObject({
      IsLogging: true,
      EnableLogFileValidation: true,
      IsMultiRegionTrail: false,
    });
  });

  it("logs into its own retained bucket, not the chart bucket", () => {
    const logs = resourceOf(minimal.stack.auditTrail.logBucket);
    expect(trail().S3BucketName).toEqual({ Ref: logs.logicalId });
    expect(logs.logicalId).not.toBe(bucket.logicalId);
    expect(logs.resource).toMatchObject({ DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    expect(logs.properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 400, Status: "Enabled" }] },
    });
  });
});

describe("bucket", () => {
  it("blocks public access, encrypts with S3 keys, enforces the bucket owner and keeps versions", () => {
    expect(bucket.properties).toEqual({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
      VersioningConfiguration: { Status: "Enabled" },
      LifecycleConfiguration: {
        Rules: [
          {
            Id: "expire-old-noncurrent-versions",
            Status: "Enabled",
            NoncurrentVersionExpiration: { NoncurrentDays: 90, NewerNoncurrentVersions: 10 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          },
        ],
      },
    });
  });

  it("is retained when the stack is deleted or the bucket replaced", () => {
    expect(bucket.resource).toMatchObject({ DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
  });

  // A statement's resources are a set; @aws-cdk/aws-iam:minimizePolicies (cdk.json) sorts them in
  // its own order, so both sides are compared sorted.
  const sortedResources = <T extends { Resource?: unknown }>(statement: T): T =>
    Array.isArray(statement.Resource)
      ? {
          ...statement,
          Resource: [...statement.Resource].sort((a, b) =>
            JSON.stringify(a).localeCompare(JSON.stringify(b)),
          ),
        }
      : statement;
  const chartBucketPolicy = () => {
    const found = Object.values(minimal.template.findResources("AWS::S3::BucketPolicy")).filter(
      (r) => JSON.stringify(r.Properties.Bucket) === JSON.stringify({ Ref: bucket.logicalId }),
    );
    expect(found).toHaveLength(1);
    return found[0]?.Properties as { PolicyDocument: { Statement: Array<{ Resource?: unknown }> } };
  };
  const statements = () => chartBucketPolicy().PolicyDocument.Statement.map(sortedResources);

  it("has exactly four statements: TLS only, conditional index writes, create-only archives, and the OAC grant", () => {
    expect(statements()).toHaveLength(4);
  });

  it("denies every request without TLS", () => {
    expect(statements()).toContainEqual(
      sortedResources({
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
        Resource: [bucketArn, keysOf("/*")],
      }),
    );
  });

  it("denies a put of index.yaml or artifacthub-repo.yml, at the root or under a prefix, that has neither If-Match nor If-None-Match", () => {
    expect(statements()).toContainEqual(
      sortedResources({
        Sid: "RequireConditionalWritesOnIndex",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:PutObject",
        // Null true on both keys: denied only when both headers are absent.
        Condition: { Null: { "s3:if-match": "true", "s3:if-none-match": "true" } },
        Resource: [
          keysOf("/index.yaml"),
          keysOf("/*/index.yaml"),
          keysOf("/artifacthub-repo.yml"),
          keysOf("/*/artifacthub-repo.yml"),
        ],
      }),
    );
  });

  it("denies a put of an archive or a provenance file that has no If-None-Match (create-only for everyone)", () => {
    expect(statements()).toContainEqual(
      sortedResources({
        Sid: "RequireCreateOnlyWritesOnArchives",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:PutObject",
        // If-Match alone (a replace) has no If-None-Match either, so it is denied too.
        Condition: { Null: { "s3:if-none-match": "true" } },
        Resource: [
          keysOf("/*.tgz"),
          keysOf("/*.prov"),
          keysOf("/pubkey.asc"),
          keysOf("/*/pubkey.asc"),
          keysOf("/pubkey.gpg"),
          keysOf("/*/pubkey.gpg"),
        ],
      }),
    );
  });

  it("lets only this distribution read and list through OAC", () => {
    expect(statements()).toContainEqual(
      sortedResources({
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: ["s3:GetObject", "s3:ListBucket"],
        Resource: [keysOf("/*"), bucketArn],
        Condition: {
          StringEquals: {
            "AWS:SourceArn": {
              "Fn::Join": [
                "",
                [
                  "arn:",
                  { Ref: "AWS::Partition" },
                  ":cloudfront::",
                  { Ref: "AWS::AccountId" },
                  ":distribution/",
                  { Ref: distribution.logicalId },
                ],
              ],
            },
          },
        },
      }),
    );
    minimal.template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: "s3",
        SigningBehavior: "always",
        SigningProtocol: "sigv4",
      }),
    });
  });
});

describe("CloudFront", () => {
  const cachePolicyOf = (pathPattern: string | undefined) => {
    const behaviour =
      pathPattern === undefined
        ? (config.DefaultCacheBehavior as Record<string, unknown>)
        : (config.CacheBehaviors as Array<Record<string, unknown>>).find(
            (b) => b.PathPattern === pathPattern,
          );
    if (behaviour === undefined) throw new Error(`no behaviour for ${pathPattern}`);
    const ref = (behaviour.CachePolicyId as { Ref: string }).Ref;
    const policy = minimal.template.findResources("AWS::CloudFront::CachePolicy")[ref];
    return { behaviour, policy: policy?.Properties.CachePolicyConfig as Record<string, unknown> };
  };
  const noForwarding = {
    CookiesConfig: { CookieBehavior: "none" },
    HeadersConfig: { HeaderBehavior: "none" },
    QueryStringsConfig: { QueryStringBehavior: "none" },
  };

  it("has the three special behaviours, in that order, besides the default", () => {
    expect((config.CacheBehaviors as Array<{ PathPattern: string }>).map((b) => b.PathPattern)).toEqual([
      "*.tgz",
      "*.prov",
      "index.yaml",
    ]);
  });

  /** The behaviour CloudFront picks for a path: the first whose pattern matches, else the default. */
  const behaviourFor = (path: string) => {
    const matches = (pattern: string) => {
      const anchored = pattern.startsWith("/") ? pattern : `/${pattern}`;
      const regex = anchored
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
      return new RegExp(`^${regex}$`).test(path);
    };
    const found = (config.CacheBehaviors as Array<{ PathPattern: string }>).find((b) =>
      matches(b.PathPattern),
    );
    return found?.PathPattern;
  };

  it.each(
    WRITTEN_KINDS.flatMap((kind) =>
      kind.keyPatterns.map(
        (pattern) => [kind.name, `/${pattern.replace(/\*/g, "charts/x-1.0.0")}`, kind] as const,
      ),
    ),
  )(
    "caches every object the publisher writes (%s: %s) at the edge for its lifetime, no longer",
    (_name, path, kind) => {
      const { policy } = cachePolicyOf(behaviourFor(path));
      expect(policy?.MaxTTL).toBe(kind.cache.maxAgeSeconds);
      if (kind.cache.immutable) expect(policy?.MinTTL).toBe(kind.cache.maxAgeSeconds);
    },
  );

  it("caches archives their whole lifetime at the edge (the repository policy's), without compression", () => {
    const { behaviour, policy } = cachePolicyOf(ARCHIVE.cdnPathPattern);
    const ttl = ARCHIVE.cache.maxAgeSeconds;
    expect(ttl).toBeGreaterThanOrEqual(86_400);
    expect(policy).toMatchObject({ DefaultTTL: ttl, MinTTL: ttl, MaxTTL: ttl });
    expect(policy?.ParametersInCacheKeyAndForwardedToOrigin).toEqual({
      ...noForwarding,
      EnableAcceptEncodingGzip: false,
      EnableAcceptEncodingBrotli: false,
    });
    expect(behaviour?.Compress).toBe(false);
  });

  it.each([
    ["index.yaml", INDEX.cdnPathPattern, INDEX.cache],
    ["the default behaviour", undefined, OTHER_OBJECT.cache],
  ])(
    "caches %s at most its lifetime in the repository policy, with gzip and brotli",
    (_label, pathPattern, lifetime) => {
      const { behaviour, policy } = cachePolicyOf(pathPattern);
      expect(lifetime.immutable).toBe(false);
      expect(policy).toMatchObject({
        DefaultTTL: lifetime.maxAgeSeconds,
        MinTTL: 0,
        MaxTTL: lifetime.maxAgeSeconds,
      });
      expect(policy?.ParametersInCacheKeyAndForwardedToOrigin).toEqual({
        ...noForwarding,
        EnableAcceptEncodingGzip: true,
        EnableAcceptEncodingBrotli: true,
      });
      expect(behaviour?.Compress).toBe(true);
    },
  );

  it("serves every behaviour over HTTPS only, read-only, with the security headers", () => {
    const headersRef = only(minimal.template, "AWS::CloudFront::ResponseHeadersPolicy").logicalId;
    const behaviours = [config.DefaultCacheBehavior, ...(config.CacheBehaviors as unknown[])];
    expect(behaviours).toHaveLength(4);
    for (const behaviour of behaviours) {
      expect(behaviour).toMatchObject({
        ViewerProtocolPolicy: "redirect-to-https",
        AllowedMethods: ["GET", "HEAD"],
        ResponseHeadersPolicyId: { Ref: headersRef },
      });
    }
  });

  it("sends HSTS, nosniff, a Content-Security-Policy that allows nothing, and frame denial", () => {
    minimal.template.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: 31_536_000,
            IncludeSubdomains: false,
            Override: true,
          },
          ContentTypeOptions: { Override: true },
          ContentSecurityPolicy: {
            ContentSecurityPolicy: SECURITY_HEADERS["Content-Security-Policy"],
            Override: true,
          },
          FrameOptions: { FrameOption: SECURITY_HEADERS["X-Frame-Options"], Override: true },
        },
      }),
    });
  });

  it("answers on the domain with TLS 1.2 minimum, HTTP/2 and HTTP/3, IPv6, and the index at /", () => {
    expect(config).toMatchObject({
      Aliases: ["charts.kube9.io"],
      HttpVersion: "http2and3",
      IPV6Enabled: true,
      Enabled: true,
      DefaultRootObject: "index.yaml",
    });
    const certificate = only(minimal.template, "AWS::CertificateManager::Certificate").logicalId;
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn: { Ref: certificate },
      MinimumProtocolVersion: "TLSv1.2_2021",
      SslSupportMethod: "sni-only",
    });
  });

  it("reads from the bucket through OAC, with no origin access identity", () => {
    const oac = only(minimal.template, "AWS::CloudFront::OriginAccessControl").logicalId;
    const origins = config.Origins as Array<Record<string, unknown>>;
    expect(origins).toHaveLength(1);
    expect(origins[0]).toEqual({
      Id: expect.any(String),
      DomainName: { "Fn::GetAtt": [bucket.logicalId, "RegionalDomainName"] },
      OriginAccessControlId: { "Fn::GetAtt": [oac, "Id"] },
      S3OriginConfig: { OriginAccessIdentity: "" },
    });
  });
});

describe("DNS and certificate", () => {
  it("creates a certificate for the domain, validated by DNS in the hosted zone", () => {
    minimal.template.hasResourceProperties("AWS::CertificateManager::Certificate", {
      DomainName: "charts.kube9.io",
      ValidationMethod: "DNS",
      DomainValidationOptions: [{ DomainName: "charts.kube9.io", HostedZoneId: "Z0123456789ABCDEFGHIJ" }],
    });
  });

  it("uses the given certificate by ARN and creates none", () => {
    full.template.resourceCountIs("AWS::CertificateManager::Certificate", 0);
    const fullConfig = only(full.template, "AWS::CloudFront::Distribution").properties.DistributionConfig;
    expect((fullConfig as { ViewerCertificate: unknown }).ViewerCertificate).toEqual({
      AcmCertificateArn: CERTIFICATE_ARN,
      MinimumProtocolVersion: "TLSv1.2_2021",
      SslSupportMethod: "sni-only",
    });
  });

  it.each(["A", "AAAA"])("points an %s alias of the domain at the distribution", (type) => {
    minimal.template.hasResourceProperties("AWS::Route53::RecordSet", {
      Type: type,
      Name: "charts.kube9.io.",
      HostedZoneId: "Z0123456789ABCDEFGHIJ",
      AliasTarget: {
        DNSName: { "Fn::GetAtt": [distribution.logicalId, "DomainName"] },
        HostedZoneId: Match.anyValue(),
      },
    });
  });

  it("writes exactly those two records", () => {
    minimal.template.resourceCountIs("AWS::Route53::RecordSet", 2);
  });
});

describe("outputs", () => {
  it("has every output the release workflow reads, under the keys of lib/names.ts", () => {
    const outputs = minimal.template.findOutputs("*");
    expect(Object.keys(outputs).sort()).toEqual(Object.values(OUTPUT_KEYS).sort());
    const value = (key: string) => (outputs[key] as { Value: unknown }).Value;
    const logicalIdOf = (construct: { node: { defaultChild?: unknown } }) =>
      minimal.stack.resolve(minimal.stack.getLogicalId(construct.node.defaultChild as CfnElement));
    expect(value(OUTPUT_KEYS.bucketName)).toEqual({ Ref: bucket.logicalId });
    expect(value(OUTPUT_KEYS.distributionId)).toEqual({ Ref: distribution.logicalId });
    expect(value(OUTPUT_KEYS.distributionDomainName)).toEqual({
      "Fn::GetAtt": [distribution.logicalId, "DomainName"],
    });
    expect(value(OUTPUT_KEYS.repositoryUrl)).toBe("https://charts.kube9.io");
    expect(value(OUTPUT_KEYS.publisherRoleArn)).toEqual({
      "Fn::GetAtt": [logicalIdOf(minimal.stack.roles.publisher), "Arn"],
    });
    expect(value(OUTPUT_KEYS.deployerRoleArn)).toEqual({
      "Fn::GetAtt": [logicalIdOf(minimal.stack.roles.deployer), "Arn"],
    });
  });
});
