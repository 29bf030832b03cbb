import * as z from 'zod';

import { GUID } from './schemas';
import { problem } from './validation';

// Schemas for the identifiers of the clouds (AWS, Google Cloud, Azure) and of HashiCorp
// Vault, shared by the cloud profiles, the DNS-01 solvers and the secret stores. Each
// carries its own "what is wrong / how to fix it" message, like schemas.ts.

/** An AWS region code: `eu-central-1`, `us-gov-west-1`, `cn-north-1`. */
export const awsRegion = z
  .string()
  .regex(
    /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/,
    problem(
      'must be an AWS region code',
      'Use the region code, e.g. "eu-central-1" or "us-east-1", not its display name.',
    ),
  );

/** The ARN of an IAM role, in any AWS partition. */
export const iamRoleArn = z
  .string()
  .regex(
    /^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
    problem(
      'must be an IAM role ARN',
      'Copy the role\'s ARN, e.g. "arn:aws:iam::123456789012:role/cert-manager".',
    ),
  );

/** A Route 53 hosted zone id (without the `/hostedzone/` prefix). */
export const route53HostedZoneId = z
  .string()
  .regex(
    /^[A-Z0-9]{1,32}$/,
    problem(
      'must be a Route 53 hosted zone id',
      'Use the id without the "/hostedzone/" prefix, e.g. "Z0123456789ABCDEFGHIJ".',
    ),
  );

/** A Google Cloud project id (not its name or number). */
export const gcpProjectId = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
    problem(
      'must be a Google Cloud project id',
      'Use the project id (6 to 30 lower-case letters, digits and "-", starting with a letter), not the project name or number.',
    ),
  );

/** The e-mail of a Google service account. */
export const gcpServiceAccountEmail = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/,
    problem('must be a Google service account e-mail', 'Use "<name>@<project id>.iam.gserviceaccount.com".'),
  );

/** A Google Cloud region or zone: `europe-west1`, `us-central1-a`. */
export const gcpLocation = z
  .string()
  .regex(
    /^[a-z]+-[a-z]+\d{1,2}(-[a-z])?$/,
    problem(
      'must be a Google Cloud region or zone',
      'Use e.g. "europe-west1" for a regional cluster or "europe-west1-b" for a zonal one.',
    ),
  );

/** A Cloud DNS managed zone name (the zone's resource name, not its DNS name). */
export const cloudDnsZoneName = z
  .string()
  .regex(
    /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/,
    problem(
      'must be a Cloud DNS managed zone name',
      'Use the zone\'s name as listed by "gcloud dns managed-zones list" (e.g. "example-com"), not its DNS name.',
    ),
  );

/** An Azure id (tenant, subscription, client id of a managed identity): a GUID. */
export const azureGuid = (what: string, where: string) =>
  z
    .string()
    .regex(
      GUID,
      problem(
        `must be ${what}, a GUID`,
        `Copy it from ${where}, e.g. "00000000-0000-0000-0000-000000000000".`,
      ),
    );

/** An Azure resource group name. */
export const azureResourceGroupName = z
  .string()
  .regex(
    /^[-\w.()]{0,89}[-\w()]$/,
    problem(
      'must be an Azure resource group name',
      'Use up to 90 letters, digits, "_", "-", ".", "(" and ")", not ending with ".".',
    ),
  );

/** A Kubernetes namespace (RFC 1123 label). */
export const namespaceName = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    problem(
      'must be a valid namespace name (RFC 1123 label)',
      'Use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit.',
    ),
  );
