/* Resource names and ARNs derived from the stack, the account and the
 * region: pure, so every command finds the same resources. */
#ifndef PV_NAMES_H
#define PV_NAMES_H

#include <stddef.h>

/* The tag every resource of a stack carries, and the one a decoy secret
 * created by apply carries in addition (destroy deletes only those). */
#define PV_TAG_STACK "secretwatch:stack"
#define PV_TAG_CREATED "secretwatch:created"
#define PV_TAG_BUCKET_SETTINGS "secretwatch:bucket-settings"
#define PV_ROLE_POLICY_NAME "secretwatch-cloudtrail-logs"

struct pv_names {
  char stack[32];
  char account[32];
  char region[64];
  char partition[16];
  char bucket[64];
  char bucket_arn[96];
  char log_group[520];
  char log_group_arn[700];       /* for ListTagsForResource */
  char log_group_trail_arn[704]; /* with ":*", for CloudTrail */
  char role[72];
  char role_arn[160];
  char trail[136];
  char trail_arn[300];
  char topic[264];
  char topic_arn[400];
  char metric_namespace[64];
};

/* The names of one watched secret's filter, metric and alarm. */
struct pv_secret_names {
  char filter[600];
  char metric[600];
  char alarm[256];
  char alarm_arn[400];
  char label[600]; /* collectd <Secret> label: the name, '/' -> '_' */
};

/* Fills n. bucket and log_group override the derived names when not NULL;
 * trail overrides the trail name (an adopted trail). Returns 0, or -1 with
 * a one-line reason in err (a name too long for AWS, a bad region). */
int pv_names_derive(struct pv_names *n, const char *stack, const char *account,
                    const char *region, const char *bucket,
                    const char *log_group, const char *trail, char *err,
                    size_t err_size);

/* Names for the secret called secret_name (its Name, not its ARN). 0, or -1
 * with err when a derived name exceeds what AWS accepts. */
int pv_secret_names_derive(const struct pv_names *n, const char *secret_name,
                           struct pv_secret_names *out, char *err,
                           size_t err_size);

/* The AlarmDescription that marks an alarm as this stack's and records the
 * secret it watches: "secretwatch:stack=<stack>;secret=<arn>". */
int pv_alarm_description(const char *stack, const char *secret_arn, char *out,
                         size_t out_size);
/* Parses such a description: 1 with the ARN copied into arn when it names
 * stack, else 0. */
int pv_alarm_description_parse(const char *desc, const char *stack, char *arn,
                               size_t arn_size);

#endif
