/* The CloudWatch Logs metric filter pattern that counts reads of one
 * secret (pure).
 *
 * A read names the secret in requestParameters.secretId by name, full ARN or
 * partial ARN (the ARN without its "-XXXXXX" suffix); BatchGetSecretValue
 * writes one GetSecretValue record per secret, so matching GetSecretValue
 * covers it. Principals given as globs ('*' wildcards, which the pattern
 * syntax supports in quoted values) are excluded by userIdentity.arn.
 * ("Filter pattern syntax for metric filters", CloudWatch Logs User Guide.)
 */
#ifndef PV_PATTERN_H
#define PV_PATTERN_H

#include <stddef.h>

/* AWS's limit on a filter pattern's length. */
#define PV_PATTERN_MAX 1024

/* Writes the pattern into out (out_size bytes). Returns 0, or -1 with a
 * one-line reason in err: a name or ARN with characters that cannot appear
 * in a quoted pattern value, an ARN that is not a Secrets Manager ARN, a
 * glob with '"' or '?', or a pattern longer than PV_PATTERN_MAX. */
int pv_filter_pattern(const char *secret_name, const char *secret_arn,
                      const char *const *allow, size_t allow_count, char *out,
                      size_t out_size, char *err, size_t err_size);

/* The partial ARN of a full Secrets Manager ARN (drops "-" and the six
 * random characters AWS appends). 0, or -1 when arn has no such suffix. */
int pv_secret_partial_arn(const char *arn, char *out, size_t out_size);

/* Extracts the excluded principal globs from a pattern written by
 * pv_filter_pattern, in order, into globs (each of glob_size bytes).
 * Returns how many were found (at most max). */
size_t pv_pattern_allowed(const char *pattern, char (*globs)[300], size_t max);

#endif
