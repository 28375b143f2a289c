/* Policy documents of the stack, built from names alone (pure), and a
 * comparison that tells whether AWS holds the document we would write.
 *
 * Every builder returns a heap JSON string the caller frees, or NULL when
 * memory ran out. */
#ifndef PV_POLICY_H
#define PV_POLICY_H

#include "provision/names.h"

#include <stddef.h>

/* S3 bucket policy for CloudTrail: GetBucketAcl and PutObject under
 * AWSLogs/<account>/ for cloudtrail.amazonaws.com, only for this trail
 * (aws:SourceArn) of this account (aws:SourceAccount), PutObject only with
 * the bucket-owner-full-control ACL; and a deny of non-TLS access.
 * ("Amazon S3 bucket policy for CloudTrail", CloudTrail User Guide.) */
char *pv_policy_bucket(const struct pv_names *n);

/* Trust policy of the role: cloudtrail.amazonaws.com may assume it only for
 * this trail (aws:SourceArn) and account (aws:SourceAccount). */
char *pv_policy_role_trust(const struct pv_names *n);

/* Inline policy of the role: logs:CreateLogStream and logs:PutLogEvents on
 * the log group's streams, nothing else. */
char *pv_policy_role_logs(const struct pv_names *n);

/* SNS topic policy: cloudwatch.amazonaws.com may sns:Publish to the topic
 * only from the given alarm ARNs (aws:SourceArn, listed sorted) of this
 * account. */
char *pv_policy_topic(const struct pv_names *n, const char *const *alarm_arns,
                      size_t alarm_count);

/* 1 when the two JSON documents mean the same policy: objects compared by
 * member regardless of order, a lone string equal to a one-element array
 * (AWS rewrites both), numbers and strings exactly. 0 otherwise, also when
 * either does not parse. */
int pv_policy_equal(const char *a, const char *b);

#endif
