/**
 * The write rules of the chart bucket as the synthesized CloudFormation template states them,
 * evaluated against S3 requests a test recorded (test/support/s3-fault-proxy.ts): the bucket
 * policy's Deny statements on s3:PutObject (Null conditions on s3:if-match / s3:if-none-match),
 * and the publisher role's Allow on s3:PutObject (which keys at all). versitygw does not evaluate
 * bucket policy conditions, so this is how an S3 test shows the client never sends a write AWS
 * would refuse.
 */
import type { IncomingHttpHeaders } from "node:http";
import { MINIMAL_CONTEXT, synthesize } from "../../infrastructure/test/synth.js";

interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string>>;
}

export interface WriteRules {
  /** Deny statements of the chart bucket's policy that apply to s3:PutObject. */
  denies: Array<{ sid: string; keys: string[]; condition: Record<string, Record<string, string>> }>;
  /** Key patterns the publisher role may PutObject at all. */
  publisherWritable: string[];
}

export interface WriteRequest {
  method: string;
  key: string;
  query: string;
  headers: IncomingHttpHeaders;
}

/**
 * The key pattern of a resource `{"Fn::Join": ["", [<bucket ARN>, "/<pattern>"]]}`; the bucket
 * itself (no "/") is not an object resource and gives undefined.
 */
function keyPattern(resource: unknown): string | undefined {
  const parts = (resource as { "Fn::Join"?: [string, unknown[]] })["Fn::Join"]?.[1];
  const last = parts?.[parts.length - 1];
  return typeof last === "string" && last.startsWith("/") ? last.slice(1) : undefined;
}

const actions = (s: Statement) => [s.Action].flat();
const keysOf = (s: Statement) => [s.Resource].flat().flatMap((r) => keyPattern(r) ?? []);

export function chartBucketWriteRules(): WriteRules {
  const { stack, template } = synthesize(MINIMAL_CONTEXT);
  const bucketId = stack.resolve(stack.getLogicalId(stack.chartBucket.bucket.node.defaultChild as never));
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const policy = Object.values(resources).find(
    (r) =>
      r.Type === "AWS::S3::BucketPolicy" &&
      JSON.stringify(r.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
  );
  if (policy === undefined) throw new Error("the template has no policy for the chart bucket");
  const bucketStatements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  const publisherId = stack.resolve(stack.getLogicalId(stack.roles.publisher.node.defaultChild as never));
  const publisher = resources[publisherId]?.Properties.Policies as Array<{
    PolicyDocument: { Statement: Statement[] };
  }>;
  return {
    denies: bucketStatements
      .filter((s) => s.Effect === "Deny" && actions(s).some((a) => a === "s3:PutObject" || a === "s3:*"))
      .filter((s) => s.Condition?.Bool === undefined) // the TLS rule: every request here is signed over TLS on AWS
      .map((s) => ({ sid: s.Sid ?? "", keys: keysOf(s), condition: s.Condition ?? {} })),
    publisherWritable: publisher
      .flatMap((p) => p.PolicyDocument.Statement)
      .filter((s) => s.Effect === "Allow" && actions(s).includes("s3:PutObject"))
      .flatMap(keysOf),
  };
}

/** IAM's wildcard match: `*` any run of characters (also `/`), `?` one character. */
export function matchesKey(pattern: string, key: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(key);
}

/** The S3 condition keys a PutObject request carries, from its headers. */
function conditionKeys(request: WriteRequest): Record<string, string | undefined> {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return { "s3:if-match": header("if-match"), "s3:if-none-match": header("if-none-match") };
}

/** Whether a statement's conditions all hold for the request (Null is the only operator used). */
function conditionsHold(condition: Record<string, Record<string, string>>, request: WriteRequest): boolean {
  const keys = conditionKeys(request);
  return Object.entries(condition).every(([operator, tests]) => {
    if (operator !== "Null") throw new Error(`the policy evaluator does not know the ${operator} operator`);
    return Object.entries(tests).every(
      ([key, wantAbsent]) => (keys[key] === undefined) === (wantAbsent === "true"),
    );
  });
}

/** True for the requests IAM authorizes as s3:PutObject: PutObject and CopyObject. */
export function isObjectWrite(request: WriteRequest): boolean {
  return (
    request.method === "PUT" &&
    request.key !== "" &&
    !/(^|&)(uploadId|partNumber|tagging|acl)=/.test(request.query)
  );
}

/** Why AWS would refuse this write, or undefined when both policies allow it. */
export function refusal(rules: WriteRules, request: WriteRequest): string | undefined {
  if (!rules.publisherWritable.some((pattern) => matchesKey(pattern, request.key))) {
    return `the publisher role may not write ${request.key}`;
  }
  const deny = rules.denies.find(
    (d) => d.keys.some((pattern) => matchesKey(pattern, request.key)) && conditionsHold(d.condition, request),
  );
  return deny === undefined ? undefined : `bucket policy ${deny.sid} denies ${request.key}`;
}
