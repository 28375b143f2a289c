/* Step 2: the S3 bucket the trail writes log files to.
 *
 * S3 has no cheap way for us to read back the public access block and the
 * default encryption through lib/s3.h, so the settings apply wrote are
 * recorded in a tag (written after both succeeded): a second apply sees the
 * tag and makes no call. */
#include "provision/steps.h"
#include "provision/policy.h"

#include "lib/crypto.h"
#include "lib/s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STEP "bucket"

/* "pab+sse-s3" or "pab+kms-<16 hex of sha256(key id)>". */
static void settings_value(const struct pv_ctx *c, char *out, size_t size) {
  if (!c->o->kms_key_id) {
    snprintf(out, size, "pab+sse-s3");
    return;
  }
  char hex[SW_SHA256_HEX_LEN + 1];
  sw_sha256_hex(c->o->kms_key_id, strlen(c->o->kms_key_id), hex);
  snprintf(out, size, "pab+kms-%.16s", hex);
}

static int put_settings(struct pv_ctx *c, const char *settings) {
  static const struct sw_s3_public_access_block pab = {1, 1, 1, 1};
  struct sw_error err;
  const char *b = c->n.bucket;
  struct sw_tag tags[] = {{PV_TAG_STACK, c->n.stack},
                          {PV_TAG_BUCKET_SETTINGS, settings}};
  if (sw_s3_put_public_access_block(c->client, b, &pab, &err) != 0)
    return pv_fail(c, STEP, b, "PutPublicAccessBlock", &err);
  if (sw_s3_put_bucket_encryption(c->client, b, c->o->kms_key_id,
                                  c->o->kms_key_id != NULL, &err) != 0)
    return pv_fail(c, STEP, b, "PutBucketEncryption", &err);
  return pv_did(c, 0, STEP, b,
                c->o->kms_key_id ? "public access blocked, SSE-KMS"
                                 : "public access blocked, SSE-S3",
                "PutBucketTagging",
                sw_s3_put_bucket_tagging(c->client, b, tags, 2, &err), &err);
}

/* Creates the bucket and tags it at once, so a re-run after a crash finds
 * it as the stack's. */
static int create(struct pv_ctx *c) {
  struct sw_error err;
  struct sw_tag tag = {PV_TAG_STACK, c->n.stack};
  if (sw_s3_create_bucket(c->client, c->n.bucket, c->n.region, &err) != 0)
    return pv_fail(c, STEP, c->n.bucket, "CreateBucket", &err);
  return pv_did(c, 1, STEP, c->n.bucket, NULL, "PutBucketTagging",
                sw_s3_put_bucket_tagging(c->client, c->n.bucket, &tag, 1, &err),
                &err);
}

static int converge_policy(struct pv_ctx *c, int exists) {
  struct sw_error err;
  char *want = pv_policy_bucket(&c->n), *have = NULL;
  int rc = 0;
  if (!want)
    return pv_failf(c, STEP, c->n.bucket, "out of memory");
  if (exists && sw_s3_get_bucket_policy(c->client, c->n.bucket, &have, &err) &&
      err.kind != SW_ERR_NOT_FOUND)
    rc = pv_fail(c, STEP, c->n.bucket, "GetBucketPolicy", &err);
  else if (!pv_policy_equal(want, have) &&
           pv_need(c, 0, STEP, c->n.bucket, "policy for this trail"))
    rc = pv_did(
        c, 0, STEP, c->n.bucket, "policy for this trail", "PutBucketPolicy",
        sw_s3_put_bucket_policy(c->client, c->n.bucket, want, &err), &err);
  free(want);
  free(have);
  return rc;
}

static int converge(struct pv_ctx *c) {
  struct sw_s3_head_bucket head = {0};
  struct sw_error err;
  struct sw_tag_list tags;
  char settings[64];
  const char *b = c->n.bucket;
  int rc = 0, exists;
  settings_value(c, settings, sizeof(settings));
  if (sw_s3_head_bucket(c->client, b, &head, &err) != 0)
    return err.kind == SW_ERR_ACCESS_DENIED
               ? pv_failf(c, STEP, b,
                          "the name belongs to another account (bucket "
                          "names are global): give --bucket")
               : pv_fail(c, STEP, b, "HeadBucket", &err);
  exists = head.exists;
  if (exists && head.region[0] && strcmp(head.region, c->n.region) != 0)
    return pv_failf(c, STEP, b, "is in %s, not %s: give --bucket", head.region,
                    c->n.region);
  sw_tag_list_init(&tags);
  if (!exists) {
    if (pv_need(c, 1, STEP, b, NULL))
      rc = create(c);
  } else if (sw_s3_get_bucket_tagging(c->client, b, &tags, &err) != 0) {
    rc = pv_fail(c, STEP, b, "GetBucketTagging", &err);
  } else if (pv_owned(c, &tags) == -1) {
    rc = pv_failf(c, STEP, b, "belongs to stack %s",
                  sw_tag_list_get(&tags, PV_TAG_STACK));
  }
  const char *have =
      exists ? sw_tag_list_get(&tags, PV_TAG_BUCKET_SETTINGS) : NULL;
  if (rc == 0 &&
      (!have || strcmp(have, settings) != 0 || pv_owned(c, &tags) != 1) &&
      pv_need(c, !exists, STEP, b, "public access block, encryption, tags"))
    rc = put_settings(c, settings);
  sw_tag_list_clean_up(&tags);
  if (rc == 0)
    rc = converge_policy(c, exists);
  return rc;
}

/* Empties the bucket (--delete-log-files), or counts what it holds.
 * Returns the objects left (0 when empty) or -1 (reported). Bounded:
 * 1000 pages of 1000 keys. */
static long empty_bucket(struct pv_ctx *c, int delete_them) {
  struct sw_error err;
  char token[1024] = "";
  long left = 0;
  for (int page = 0; page < 1000; page++) {
    struct sw_s3_list_req lreq = {NULL, 1000, token[0] ? token : NULL};
    struct sw_s3_list_resp list = {0};
    if (sw_s3_list_objects(c->client, c->n.bucket, &lreq, &list, &err) != 0) {
      sw_s3_list_resp_clean_up(&list);
      return pv_fail(c, STEP, c->n.bucket, "ListObjectsV2", &err);
    }
    for (size_t i = 0; i < list.count; i++) {
      if (!delete_them) {
        left++;
      } else if (sw_s3_delete_object(c->client, c->n.bucket,
                                     list.objects[i].key, &err) != 0) {
        sw_s3_list_resp_clean_up(&list);
        return pv_fail(c, STEP, c->n.bucket, "DeleteObject", &err);
      }
    }
    int more = list.is_truncated && list.next_continuation_token &&
               strlen(list.next_continuation_token) < sizeof(token);
    if (more)
      snprintf(token, sizeof(token), "%s", list.next_continuation_token);
    sw_s3_list_resp_clean_up(&list);
    if (!more || (!delete_them && left > 0))
      break;
  }
  return left;
}

static int destroy(struct pv_ctx *c) {
  struct sw_s3_head_bucket head = {0};
  struct sw_error err;
  struct sw_tag_list tags;
  const char *b = c->n.bucket;
  int rc = 0;
  long left;
  if (sw_s3_head_bucket(c->client, b, &head, &err) != 0)
    return err.kind == SW_ERR_ACCESS_DENIED
               ? (pv_report_item(c->rep, STEP, b, "kept", "not ours"), 0)
               : pv_fail(c, STEP, b, "HeadBucket", &err);
  if (!head.exists) {
    pv_report_item(c->rep, STEP, b, "absent", NULL);
    return 0;
  }
  sw_tag_list_init(&tags);
  if (sw_s3_get_bucket_tagging(c->client, b, &tags, &err) != 0)
    rc = pv_fail(c, STEP, b, "GetBucketTagging", &err);
  else if (pv_owned(c, &tags) != 1)
    pv_report_item(c->rep, STEP, b, "kept", "not tagged for this stack");
  else if ((left = empty_bucket(c, c->o->delete_log_files)) < 0)
    rc = -1;
  else if (left > 0)
    /* The trail's log files are the audit record: deleted only when asked. */
    rc = pv_failf(c, STEP, b,
                  "kept: it holds the trail's log files; pass "
                  "--delete-log-files to delete them with the bucket");
  else if (sw_s3_delete_bucket(c->client, b, &err) != 0)
    rc = pv_fail(c, STEP, b, "DeleteBucket", &err);
  else
    pv_report_item(c->rep, STEP, b, "deleted",
                   c->o->delete_log_files ? "with its log files" : NULL);
  sw_tag_list_clean_up(&tags);
  return rc;
}

static const char *resource(const struct pv_ctx *c) {
  return c->n.bucket;
}

const struct pv_step pv_step_bucket = {STEP, converge, destroy, resource};
