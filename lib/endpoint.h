/* Where to send a request for a service and region, and how to sign it.
 *
 * Knows the partitions aws, aws-cn (amazonaws.com.cn) and aws-us-gov, FIPS
 * endpoints, the global IAM endpoint (and STS global or regional), and the
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> overrides. Pure except for
 * sw_endpoint_resolve, which reads those environment variables. */
#ifndef SW_ENDPOINT_H
#define SW_ENDPOINT_H

#include "lib/error.h"

#include <stddef.h>

enum sw_service {
  SW_SVC_CLOUDTRAIL = 0,
  SW_SVC_CLOUDWATCH,
  SW_SVC_LOGS,
  SW_SVC_SECRETSMANAGER,
  SW_SVC_SNS,
  SW_SVC_IAM,
  SW_SVC_STS,
  SW_SVC_S3,
  SW_SVC_COUNT
};

struct sw_endpoint_opts {
  const char *region;       /* required, e.g. "us-east-1" */
  const char *endpoint_url; /* per-client override for every service */
  int use_fips;
  int sts_global; /* 1: sts.amazonaws.com for the aws partition */
  int ignore_env; /* 1: do not read AWS_ENDPOINT_URL* nor
                     AWS_USE_FIPS_ENDPOINT (tests) */
};

struct sw_endpoint {
  char url[512];           /* scheme://host[:port][/base], no trailing '/' */
  char host[256];          /* the Host header value (with :port if any) */
  char signing_region[64]; /* "us-east-1" for global IAM in aws, ... */
  char signing_name[32];   /* "monitoring", "logs", "iam", ... */
  int is_override;         /* 1: url came from an override (path-style S3) */
};

/* Static facts about a service. */
const char *sw_service_name(enum sw_service svc);   /* "cloudtrail" */
const char *sw_service_env_id(enum sw_service svc); /* "CLOUDTRAIL" for
                                        AWS_ENDPOINT_URL_CLOUDTRAIL */
const char *sw_service_signing_name(enum sw_service svc);

/* The partition of a region: "aws", "aws-cn", "aws-us-gov"; NULL for a
 * malformed region name. */
const char *sw_region_partition(const char *region);
/* 1 when region looks like an AWS region name (letters, digits, '-'). */
int sw_region_valid(const char *region);

/* Resolves. Order: opts->endpoint_url, AWS_ENDPOINT_URL_<SERVICE>,
 * AWS_ENDPOINT_URL, then the partition's pattern. 0, or -1 with err
 * (SW_ERR_CONFIG naming the bad region or URL). */
int sw_endpoint_resolve(enum sw_service svc,
                        const struct sw_endpoint_opts *opts,
                        struct sw_endpoint *out, struct sw_error *err);

#endif
