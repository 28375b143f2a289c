/* Endpoint resolution: partitions, FIPS, global IAM/STS and overrides.
 *
 * Hostname patterns follow the AWS General Reference "Service endpoints"
 * pages and the SDKs' endpoint rules: <prefix>.<region>.<dns suffix>, the
 * suffix being amazonaws.com, or amazonaws.com.cn in the aws-cn partition.
 * Override variables follow the SDK reference guide "Service-specific
 * endpoints" (AWS_ENDPOINT_URL_<SERVICE_ID>, AWS_ENDPOINT_URL and
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) and "Dual-stack and FIPS endpoints"
 * (AWS_USE_FIPS_ENDPOINT). */
#include "lib/endpoint.h"
#include "lib/text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct service_facts {
  const char *name;    /* our name, for messages */
  const char *env_id;  /* suffix of AWS_ENDPOINT_URL_<id> */
  const char *signing; /* SigV4 service name */
  const char *prefix;  /* hostname prefix */
};

static const struct service_facts services[SW_SVC_COUNT] = {
    [SW_SVC_CLOUDTRAIL] = {"cloudtrail", "CLOUDTRAIL", "cloudtrail",
                           "cloudtrail"},
    [SW_SVC_CLOUDWATCH] = {"cloudwatch", "CLOUDWATCH", "monitoring",
                           "monitoring"},
    [SW_SVC_LOGS] = {"logs", "CLOUDWATCH_LOGS", "logs", "logs"},
    [SW_SVC_SECRETSMANAGER] = {"secretsmanager", "SECRETS_MANAGER",
                               "secretsmanager", "secretsmanager"},
    [SW_SVC_SNS] = {"sns", "SNS", "sns", "sns"},
    [SW_SVC_IAM] = {"iam", "IAM", "iam", "iam"},
    [SW_SVC_STS] = {"sts", "STS", "sts", "sts"},
    [SW_SVC_S3] = {"s3", "S3", "s3", "s3"},
};

static const struct service_facts *facts(enum sw_service svc) {
  if ((int)svc < 0 || svc >= SW_SVC_COUNT)
    return NULL;
  return &services[svc];
}

const char *sw_service_name(enum sw_service svc) {
  const struct service_facts *f = facts(svc);
  return f ? f->name : "unknown";
}

const char *sw_service_env_id(enum sw_service svc) {
  const struct service_facts *f = facts(svc);
  return f ? f->env_id : NULL;
}

const char *sw_service_signing_name(enum sw_service svc) {
  const struct service_facts *f = facts(svc);
  return f ? f->signing : NULL;
}

int sw_region_valid(const char *region) {
  size_t n;
  if (region == NULL)
    return 0;
  n = strlen(region);
  /* Region names are lowercase words joined by '-': "us-east-1". */
  if (n < 3 || n > 40 || !islower((unsigned char)region[0]) ||
      region[n - 1] == '-')
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)region[i];
    if (!(islower(c) || isdigit(c) || c == '-'))
      return 0;
    if (c == '-' && region[i + 1] == '-')
      return 0;
  }
  return 1;
}

const char *sw_region_partition(const char *region) {
  if (!sw_region_valid(region))
    return NULL;
  if (strncmp(region, "cn-", 3) == 0)
    return "aws-cn";
  if (strncmp(region, "us-gov-", 7) == 0)
    return "aws-us-gov";
  /* The isolated partitions (us-iso-*, us-isob-*, eu-isoe-*) have their own
   * DNS suffixes we do not know; refuse rather than guess a wrong host. */
  if (strstr(region, "-iso") != NULL)
    return NULL;
  return "aws";
}

/* Checks an override URL and splits it into out->url and out->host. */
static int parse_override(const char *url, const char *origin,
                          struct sw_endpoint *out, struct sw_error *err) {
  const char *auth;
  size_t n = strlen(url), host_len;
  if (strncasecmp(url, "https://", 8) == 0)
    auth = url + 8;
  else if (strncasecmp(url, "http://", 7) == 0)
    auth = url + 7;
  else
    return sw_error_set(err, SW_ERR_CONFIG,
                        "%s \"%s\" is not an http:// or https:// URL", origin,
                        url);
  while (n > 0 && url[n - 1] == '/')
    n--;
  if (n >= sizeof(out->url))
    return sw_error_set(err, SW_ERR_CONFIG, "%s is longer than %zu bytes",
                        origin, sizeof(out->url) - 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)url[i];
    if (c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '@')
      return sw_error_set(err, SW_ERR_CONFIG,
                          "%s \"%s\" has a character not allowed in an "
                          "endpoint URL (space, control, '?', '#' or '@')",
                          origin, url);
  }
  host_len = strcspn(auth, "/");
  if ((size_t)(auth - url) + host_len > n)
    host_len = n - (size_t)(auth - url);
  if (host_len == 0 || auth[0] == ':')
    return sw_error_set(err, SW_ERR_CONFIG, "%s \"%s\" has no host name",
                        origin, url);
  if (host_len >= sizeof(out->host))
    return sw_error_set(err, SW_ERR_CONFIG, "%s host name is too long", origin);
  memcpy(out->url, url, n);
  out->url[n] = '\0';
  memcpy(out->host, auth, host_len);
  out->host[host_len] = '\0';
  out->is_override = 1;
  return 0;
}

static int env_true(const char *name) {
  const char *v = getenv(name);
  return v && strcasecmp(v, "true") == 0;
}

static const char *env_override(enum sw_service svc, char *name,
                                size_t name_size) {
  const char *v;
  if (env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
    return NULL;
  snprintf(name, name_size, "AWS_ENDPOINT_URL_%s", sw_service_env_id(svc));
  v = getenv(name);
  if (v && *v)
    return v;
  snprintf(name, name_size, "AWS_ENDPOINT_URL");
  v = getenv(name);
  return v && *v ? v : NULL;
}

/* The partition's own host name for svc, and the region to sign for. */
static int standard_host(enum sw_service svc,
                         const struct sw_endpoint_opts *opts,
                         const char *partition, struct sw_endpoint *out,
                         struct sw_error *err) {
  const char *dns =
      strcmp(partition, "aws-cn") == 0 ? "amazonaws.com.cn" : "amazonaws.com";
  const char *prefix = facts(svc)->prefix;
  const char *fips = opts->use_fips ? "-fips" : "";
  const char *region = opts->region;
  int n;

  if (opts->use_fips && strcmp(partition, "aws-cn") == 0)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "FIPS endpoints do not exist in region %s (aws-cn)",
                        region);
  sw_strlcpy(out->signing_region, region, sizeof(out->signing_region));
  if (svc == SW_SVC_IAM) {
    /* IAM is global: one endpoint per partition. */
    if (strcmp(partition, "aws-cn") == 0) {
      n = snprintf(out->host, sizeof(out->host), "iam.cn-north-1.%s", dns);
      sw_strlcpy(out->signing_region, "cn-north-1",
                 sizeof(out->signing_region));
    } else if (strcmp(partition, "aws-us-gov") == 0) {
      n = snprintf(out->host, sizeof(out->host), "iam.us-gov.%s", dns);
      sw_strlcpy(out->signing_region, "us-gov-west-1",
                 sizeof(out->signing_region));
    } else {
      n = snprintf(out->host, sizeof(out->host), "iam%s.%s", fips, dns);
      sw_strlcpy(out->signing_region, "us-east-1", sizeof(out->signing_region));
    }
  } else if (svc == SW_SVC_STS && opts->sts_global && !opts->use_fips &&
             strcmp(partition, "aws") == 0) {
    n = snprintf(out->host, sizeof(out->host), "sts.%s", dns);
    sw_strlcpy(out->signing_region, "us-east-1", sizeof(out->signing_region));
  } else {
    n = snprintf(out->host, sizeof(out->host), "%s%s.%s.%s", prefix, fips,
                 region, dns);
  }
  if (n < 0 || (size_t)n >= sizeof(out->host))
    return sw_error_set(err, SW_ERR_CONFIG, "host name for region %s too long",
                        region);
  snprintf(out->url, sizeof(out->url), "https://%s", out->host);
  return 0;
}

int sw_endpoint_resolve(enum sw_service svc,
                        const struct sw_endpoint_opts *opts,
                        struct sw_endpoint *out, struct sw_error *err) {
  const char *partition, *override = NULL;
  char origin[64] = "endpoint_url";

  memset(out, 0, sizeof(*out));
  if (facts(svc) == NULL)
    return sw_error_set(err, SW_ERR_CONFIG, "unknown service %d", (int)svc);
  if (opts == NULL || opts->region == NULL || opts->region[0] == '\0')
    return sw_error_set(err, SW_ERR_CONFIG,
                        "no region configured for %s (set Region or "
                        "AWS_REGION)",
                        sw_service_name(svc));
  partition = sw_region_partition(opts->region);
  if (partition == NULL)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "region \"%s\" is not a valid AWS region name",
                        opts->region);
  sw_strlcpy(out->signing_name, facts(svc)->signing, sizeof(out->signing_name));

  if (opts->endpoint_url && opts->endpoint_url[0])
    override = opts->endpoint_url;
  else if (!opts->ignore_env)
    override = env_override(svc, origin, sizeof(origin));
  if (override) {
    /* With an override the SDKs sign for the configured region. */
    if (parse_override(override, origin, out, err) != 0)
      return -1;
    sw_strlcpy(out->signing_region, opts->region, sizeof(out->signing_region));
    return 0;
  }
  if (!opts->use_fips && !opts->ignore_env &&
      env_true("AWS_USE_FIPS_ENDPOINT")) {
    /* The SDKs' switch for FIPS endpoints, as the config option. */
    struct sw_endpoint_opts fips = *opts;
    fips.use_fips = 1;
    return standard_host(svc, &fips, partition, out, err);
  }
  return standard_host(svc, opts, partition, out, err);
}
