/* Amazon S3 (REST-XML): the bucket CloudTrail delivers log files to
 * (provisioner).
 *
 * Builders produce the pieces of a struct sw_rest_request: an XML body (heap
 * string the caller frees, or NULL for none), and for PutPublicAccessBlock,
 * PutBucketEncryption and PutBucketTagging the Content-MD5 value S3 requires
 * (base64 of the body's MD5; the PutBucketPolicy wrapper sends it too).
 * Parsers take the raw answer bytes. Wrappers call sw_client_rest. Results
 * are caller-owned and freed by their `_clean_up` (NULL ok). Builders fail with
 * SW_ERR_CONFIG naming the field; parsers with SW_ERR_PARSE naming the element.
 * Parsers overwrite *out without freeing what it held: clean up a previous
 * result before reusing a struct. */
#ifndef SW_S3_H
#define SW_S3_H

#include "lib/client.h"
#include "lib/error.h"
#include "lib/svc.h"

#include <stddef.h>

/* base64(MD5(body)) with padding: 24 characters + NUL. */
#define SW_S3_MD5_B64_SIZE 25
void sw_s3_content_md5(const void *body, size_t len,
                       char out[SW_S3_MD5_B64_SIZE]);

/* 1 when name follows S3's bucket naming rules for new buckets (3..63
 * lowercase letters, digits, '-', '.', starts and ends with a letter or
 * digit, not an IPv4 address, no "..", not "xn--" prefixed, no "-s3alias"
 * suffix). */
int sw_s3_bucket_name_valid(const char *name);

/* ---- CreateBucket ---- */
/* Sets *body_out to the CreateBucketConfiguration body with
 * LocationConstraint = region (heap, caller frees), or to NULL for
 * us-east-1, where S3 wants no body. 0, or -1 with err SW_ERR_CONFIG for a
 * missing/invalid region. */
int sw_s3_create_bucket_body(const char *region, char **body_out,
                             struct sw_error *err);
int sw_s3_create_bucket(struct sw_client *c, const char *bucket,
                        const char *region, struct sw_error *err);

/* ---- HeadBucket ---- */
struct sw_s3_head_bucket {
  int exists;      /* 1 on 200; 0 on 404 (NoSuchBucket) */
  char region[64]; /* x-amz-bucket-region when given, else "" */
};
/* 0 with out->exists 1 or 0 (a 404 is not an error here); -1 with err for
 * 403 (the bucket exists but belongs to someone else: SW_ERR_ACCESS_DENIED)
 * and everything else. */
int sw_s3_head_bucket(struct sw_client *c, const char *bucket,
                      struct sw_s3_head_bucket *out, struct sw_error *err);

/* ---- Bucket policy (?policy): the JSON document as is ---- */
/* Sends the policy (1..20480 bytes) with its Content-MD5, which the API
 * model requires for PutBucketPolicy (httpChecksumRequired). */
int sw_s3_put_bucket_policy(struct sw_client *c, const char *bucket,
                            const char *policy_json, struct sw_error *err);
/* *policy_out heap (caller frees). A missing policy is SW_ERR_NOT_FOUND
 * (NoSuchBucketPolicy). */
int sw_s3_get_bucket_policy(struct sw_client *c, const char *bucket,
                            char **policy_out, struct sw_error *err);

/* ---- PutPublicAccessBlock (?publicAccessBlock) ---- */
struct sw_s3_public_access_block {
  int block_public_acls;
  int ignore_public_acls;
  int block_public_policy;
  int restrict_public_buckets;
};
char *sw_s3_public_access_block_body(const struct sw_s3_public_access_block *b,
                                     struct sw_error *err);
int sw_s3_put_public_access_block(struct sw_client *c, const char *bucket,
                                  const struct sw_s3_public_access_block *b,
                                  struct sw_error *err);

/* ---- PutBucketEncryption (?encryption) ----
 * kms_key_id NULL: SSE-S3 (AES256); else aws:kms with that key, and
 * bucket_key_enabled set as given. */
char *sw_s3_encryption_body(const char *kms_key_id, int bucket_key_enabled,
                            struct sw_error *err);
int sw_s3_put_bucket_encryption(struct sw_client *c, const char *bucket,
                                const char *kms_key_id, int bucket_key_enabled,
                                struct sw_error *err);

/* ---- Tagging (?tagging) ---- */
/* <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>, keys and
 * values XML-escaped; 1..50 tags. */
char *sw_s3_tagging_body(const struct sw_tag *tags, size_t tag_count,
                         struct sw_error *err);
int sw_s3_put_bucket_tagging(struct sw_client *c, const char *bucket,
                             const struct sw_tag *tags, size_t tag_count,
                             struct sw_error *err);
/* Parses a <Tagging> answer into out (init'ed by the caller). */
int sw_s3_tagging_parse(const char *xml, size_t len, struct sw_tag_list *out,
                        struct sw_error *err);
/* No tag set (NoSuchTagSet) gives 0 with an empty list. */
int sw_s3_get_bucket_tagging(struct sw_client *c, const char *bucket,
                             struct sw_tag_list *out, struct sw_error *err);

/* ---- DeleteBucket (must be empty) ---- */
int sw_s3_delete_bucket(struct sw_client *c, const char *bucket,
                        struct sw_error *err);

/* ---- DeleteObject (DELETE /bucket/key) ---- */
/* S3 object keys are 1..1024 bytes of UTF-8. */
#define SW_S3_MAX_KEY 1024
/* 1 when key is 1..SW_S3_MAX_KEY bytes. */
int sw_s3_object_key_valid(const char *key);
/* Deletes one object. The key goes in the path encoded once (RFC 3986,
 * '/' kept, as sw_client_rest sends it). S3 answers 204 whether the key
 * existed or not, so a missing key is success; a missing bucket is
 * SW_ERR_NOT_FOUND (NoSuchBucket). A bad bucket name or key is
 * SW_ERR_CONFIG and sends nothing. */
int sw_s3_delete_object(struct sw_client *c, const char *bucket,
                        const char *key, struct sw_error *err);

/* ---- ListObjectsV2 (minimal) ---- */
struct sw_s3_list_req {
  const char *prefix;             /* optional */
  int max_keys;                   /* 1..1000; 0: omitted */
  const char *continuation_token; /* optional */
};
struct sw_s3_object {
  char *key;
  long long size; /* -1 when absent */
  double last_modified_s;
  int has_last_modified;
};
struct sw_s3_list_resp {
  struct sw_s3_object *objects;
  size_t count;
  int is_truncated;
  char *next_continuation_token; /* heap or NULL */
  long long key_count;           /* -1 when absent */
};
void sw_s3_list_resp_clean_up(struct sw_s3_list_resp *r);
/* The query string "continuation-token=..&list-type=2&max-keys=..&prefix=.."
 * (sorted, RFC 3986 encoded): a heap string the caller frees. */
char *sw_s3_list_objects_query(const struct sw_s3_list_req *req,
                               struct sw_error *err);
int sw_s3_list_objects_parse(const char *xml, size_t len,
                             struct sw_s3_list_resp *out, struct sw_error *err);
int sw_s3_list_objects(struct sw_client *c, const char *bucket,
                       const struct sw_s3_list_req *req,
                       struct sw_s3_list_resp *out, struct sw_error *err);

#endif
