/**
 * The custom domain: the hosted zone (by attributes, so synth needs no AWS lookup), the
 * certificate CloudFront presents, and the A / AAAA aliases pointing at the distribution.
 */
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import type * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as route53 from "aws-cdk-lib/aws-route53";
import * as targets from "aws-cdk-lib/aws-route53-targets";
import type { Construct } from "constructs";
import type { ChartRepositorySettings } from "./settings.js";

export function importHostedZone(scope: Construct, settings: ChartRepositorySettings): route53.IHostedZone {
  // fromLookup would need credentials at synth time and write cdk.context.json; the id and the
  // name are settings instead.
  return route53.HostedZone.fromHostedZoneAttributes(scope, "HostedZone", {
    hostedZoneId: settings.hostedZone.id,
    zoneName: settings.hostedZone.name,
  });
}

/**
 * The given certificate (settings already checked it is in us-east-1), or a new one validated by
 * DNS records in the zone; the stack is in us-east-1, so a plain Certificate lands where
 * CloudFront looks.
 */
export function chartCertificate(
  scope: Construct,
  settings: ChartRepositorySettings,
  zone: route53.IHostedZone,
): acm.ICertificate {
  if (settings.certificate.kind === "imported") {
    return acm.Certificate.fromCertificateArn(scope, "Certificate", settings.certificate.arn);
  }
  return new acm.Certificate(scope, "Certificate", {
    domainName: settings.domainName,
    validation: acm.CertificateValidation.fromDns(zone),
  });
}

/** IPv4 and IPv6 aliases; the distribution has IPv6 on, so AAAA answers are real. */
export function aliasRecords(
  scope: Construct,
  settings: ChartRepositorySettings,
  zone: route53.IHostedZone,
  distribution: cloudfront.IDistribution,
): void {
  const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(distribution));
  // recordName is the full domain: CDK strips the zone suffix itself, and the apex works too.
  new route53.ARecord(scope, "AliasA", { zone, recordName: settings.domainName, target });
  new route53.AaaaRecord(scope, "AliasAAAA", { zone, recordName: settings.domainName, target });
}
