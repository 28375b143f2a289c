#include "lib/s3.h"
#include "lib/buf.h"
#include "lib/crypto.h"
#include "lib/headers.h"
#include "lib/http.h"
#include "lib/xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S3_NS "http://s3.amazonaws.com/doc/2006-03-01/"

void sw_s3_content_md5(const void *body, size_t len,
                       char out[SW_S3_MD5_B64_SIZE]) {
  uint8_t md5[SW_MD5_LEN];
  sw_md5(body, len, md5);
  sw_base64_encode(md5, sizeof(md5), out);
}

int sw_s3_bucket_name_valid(const char *name) {
  size_t n = name ? strlen(name) : 0;
  int dots = 0, digits_and_dots = 1;
  if (n < 3 || n > 63)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-' && c != '.')
      return 0;
    if ((i == 0 || i == n - 1) && !alnum)
      return 0;
    if (c == '.' && (name[i + 1] == '.' || name[i + 1] == '-' ||
                     (i > 0 && name[i - 1] == '-')))
      return 0;
    if (c == '.')
      dots++;
    if (!(c == '.' || (c >= '0' && c <= '9')))
      digits_and_dots = 0;
  }
  if (digits_and_dots && dots == 3) /* looks like an IPv4 address */
    return 0;
  if (strncmp(name, "xn--", 4) == 0 || strncmp(name, "sthree-", 7) == 0)
    return 0;
  if (n >= 8 && strcmp(name + n - 8, "-s3alias") == 0)
    return 0;
  if (n >= 6 && strcmp(name + n - 6, "--ol-s3") == 0)
    return 0;
  return 1;
}

static int check_bucket(const char *op, const char *bucket,
                        struct sw_error *err) {
  if (sw_svc_empty(bucket) || strlen(bucket) > 63 || strchr(bucket, '/'))
    return sw_error_set(err, SW_ERR_CONFIG, "%s: bucket name \"%s\" is invalid",
                        op, bucket ? bucket : "");
  return 0;
}

/* Appends an element whose text is escaped; 0 or -1. */
static int add_elem(struct sw_buf *b, const char *name, const char *text) {
  char *esc = sw_xml_escape(text ? text : "");
  int rc = esc ? sw_buf_printf(b, "<%s>%s</%s>", name, esc, name) : -1;
  free(esc);
  return rc;
}

static char *finish(struct sw_buf *b, int rc, const char *op,
                    struct sw_error *err) {
  if (rc != 0) {
    sw_buf_clean_up(b);
    sw_error_set(err, SW_ERR_INTERNAL, "%s: out of memory", op);
    return NULL;
  }
  return sw_buf_steal(b, NULL);
}

/* ---- CreateBucket ---- */

int sw_s3_create_bucket_body(const char *region, char **body_out,
                             struct sw_error *err) {
  struct sw_buf b;
  int rc;
  *body_out = NULL;
  if (sw_svc_empty(region) || strlen(region) > 32)
    return sw_error_set(err, SW_ERR_CONFIG, "CreateBucket: region missing");
  for (const char *s = region; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
      return sw_error_set(err, SW_ERR_CONFIG,
                          "CreateBucket: region \"%s\" is invalid", region);
  /* us-east-1 is the default location and must not be named (S3 answers
   * InvalidLocationConstraint). */
  if (strcmp(region, "us-east-1") == 0)
    return 0;
  sw_buf_init(&b, 4096);
  rc = sw_buf_append_str(&b, "<CreateBucketConfiguration xmlns=\"" S3_NS "\">");
  if (rc == 0)
    rc = add_elem(&b, "LocationConstraint", region);
  if (rc == 0)
    rc = sw_buf_append_str(&b, "</CreateBucketConfiguration>");
  *body_out = finish(&b, rc, "CreateBucket", err);
  return *body_out ? 0 : -1;
}

/* Performs one request on a bucket, or on one of its objects when key is
 * not NULL; resp may be NULL when the answer is not needed. md5 adds
 * Content-MD5 over the body. */
static int s3_call(struct sw_client *c, const char *method, const char *bucket,
                   const char *key, const char *query, const char *body,
                   int md5, struct sw_http_response *resp,
                   struct sw_error *err) {
  struct sw_rest_request req = {0};
  struct sw_headers h;
  struct sw_http_response local;
  int rc;
  sw_headers_init(&h);
  if (md5) {
    char md5_b64[SW_S3_MD5_B64_SIZE];
    sw_s3_content_md5(body ? body : "", body ? strlen(body) : 0, md5_b64);
    if (sw_headers_add(&h, "Content-MD5", md5_b64) != 0) {
      sw_headers_clean_up(&h);
      return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    }
  }
  req.method = method;
  req.bucket = bucket;
  req.key = key;
  req.query = query;
  req.headers = &h;
  req.body = body;
  req.body_len = body ? strlen(body) : 0;
  if (resp == NULL) {
    sw_http_response_init(&local);
    resp = &local;
  }
  rc = sw_client_rest(c, SW_SVC_S3, &req, resp, err);
  if (resp == &local)
    sw_http_response_clean_up(&local);
  sw_headers_clean_up(&h);
  return rc;
}

static int bucket_call(struct sw_client *c, const char *method,
                       const char *bucket, const char *query, const char *body,
                       int md5, struct sw_http_response *resp,
                       struct sw_error *err) {
  return s3_call(c, method, bucket, NULL, query, body, md5, resp, err);
}

int sw_s3_create_bucket(struct sw_client *c, const char *bucket,
                        const char *region, struct sw_error *err) {
  char *body = NULL;
  int rc;
  if (check_bucket("CreateBucket", bucket, err) ||
      sw_s3_create_bucket_body(region, &body, err))
    return -1;
  rc = bucket_call(c, "PUT", bucket, NULL, body, 0, NULL, err);
  free(body);
  return rc;
}

/* ---- HeadBucket ---- */

int sw_s3_head_bucket(struct sw_client *c, const char *bucket,
                      struct sw_s3_head_bucket *out, struct sw_error *err) {
  struct sw_error local;
  struct sw_http_response resp;
  const char *region;
  int rc;
  memset(out, 0, sizeof(*out));
  sw_error_clear(&local);
  if (err == NULL)
    err = &local; /* the 404 case is told apart by the error */
  if (check_bucket("HeadBucket", bucket, err))
    return -1;
  sw_http_response_init(&resp);
  rc = bucket_call(c, "HEAD", bucket, NULL, NULL, 0, &resp, err);
  region = sw_headers_get(&resp.headers, "x-amz-bucket-region");
  sw_svc_copy(out->region, sizeof(out->region), region);
  if (rc == 0) {
    out->exists = 1;
  } else if (err->kind == SW_ERR_NOT_FOUND || err->http_status == 404) {
    out->exists = 0;
    sw_error_clear(err);
    rc = 0;
  }
  sw_http_response_clean_up(&resp);
  return rc;
}

/* ---- Bucket policy ---- */

int sw_s3_put_bucket_policy(struct sw_client *c, const char *bucket,
                            const char *policy_json, struct sw_error *err) {
  if (check_bucket("PutBucketPolicy", bucket, err))
    return -1;
  if (sw_svc_empty(policy_json) || strlen(policy_json) > 20480)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "PutBucketPolicy: policy must be 1 to 20480 bytes");
  /* Content-MD5: the API model marks PutBucketPolicy httpChecksumRequired,
   * so S3 may refuse the body without it. */
  return bucket_call(c, "PUT", bucket, "policy", policy_json, 1, NULL, err);
}

int sw_s3_get_bucket_policy(struct sw_client *c, const char *bucket,
                            char **policy_out, struct sw_error *err) {
  struct sw_http_response resp;
  int rc;
  *policy_out = NULL;
  if (check_bucket("GetBucketPolicy", bucket, err))
    return -1;
  sw_http_response_init(&resp);
  rc = bucket_call(c, "GET", bucket, "policy", NULL, 0, &resp, err);
  if (rc == 0)
    rc = sw_svc_dup(sw_buf_cstr(&resp.body), 65536, "bucket policy", policy_out,
                    err);
  sw_http_response_clean_up(&resp);
  return rc;
}

/* ---- PutPublicAccessBlock ---- */

char *sw_s3_public_access_block_body(const struct sw_s3_public_access_block *b,
                                     struct sw_error *err) {
  struct sw_buf x;
  int rc;
  sw_buf_init(&x, 4096);
  rc = sw_buf_printf(&x,
                     "<PublicAccessBlockConfiguration xmlns=\"" S3_NS "\">"
                     "<BlockPublicAcls>%s</BlockPublicAcls>"
                     "<IgnorePublicAcls>%s</IgnorePublicAcls>"
                     "<BlockPublicPolicy>%s</BlockPublicPolicy>"
                     "<RestrictPublicBuckets>%s</RestrictPublicBuckets>"
                     "</PublicAccessBlockConfiguration>",
                     b->block_public_acls ? "true" : "false",
                     b->ignore_public_acls ? "true" : "false",
                     b->block_public_policy ? "true" : "false",
                     b->restrict_public_buckets ? "true" : "false");
  return finish(&x, rc, "PutPublicAccessBlock", err);
}

int sw_s3_put_public_access_block(struct sw_client *c, const char *bucket,
                                  const struct sw_s3_public_access_block *b,
                                  struct sw_error *err) {
  char *body;
  int rc;
  if (check_bucket("PutPublicAccessBlock", bucket, err))
    return -1;
  body = sw_s3_public_access_block_body(b, err);
  if (body == NULL)
    return -1;
  rc = bucket_call(c, "PUT", bucket, "publicAccessBlock", body, 1, NULL, err);
  free(body);
  return rc;
}

/* ---- PutBucketEncryption ---- */

char *sw_s3_encryption_body(const char *kms_key_id, int bucket_key_enabled,
                            struct sw_error *err) {
  struct sw_buf b;
  int rc;
  sw_buf_init(&b, 8192);
  rc = sw_buf_append_str(&b, "<ServerSideEncryptionConfiguration xmlns=\"" S3_NS
                             "\"><Rule><ApplyServerSideEncryptionByDefault>");
  if (rc == 0 && sw_svc_empty(kms_key_id)) {
    rc = sw_buf_append_str(&b, "<SSEAlgorithm>AES256</SSEAlgorithm>");
  } else if (rc == 0) {
    rc = sw_buf_append_str(&b, "<SSEAlgorithm>aws:kms</SSEAlgorithm>");
    if (rc == 0)
      rc = add_elem(&b, "KMSMasterKeyID", kms_key_id);
  }
  if (rc == 0)
    rc = sw_buf_append_str(&b, "</ApplyServerSideEncryptionByDefault>");
  if (rc == 0 && !sw_svc_empty(kms_key_id))
    rc = sw_buf_printf(&b, "<BucketKeyEnabled>%s</BucketKeyEnabled>",
                       bucket_key_enabled ? "true" : "false");
  if (rc == 0)
    rc = sw_buf_append_str(&b, "</Rule></ServerSideEncryptionConfiguration>");
  return finish(&b, rc, "PutBucketEncryption", err);
}

int sw_s3_put_bucket_encryption(struct sw_client *c, const char *bucket,
                                const char *kms_key_id, int bucket_key_enabled,
                                struct sw_error *err) {
  char *body;
  int rc;
  if (check_bucket("PutBucketEncryption", bucket, err))
    return -1;
  body = sw_s3_encryption_body(kms_key_id, bucket_key_enabled, err);
  if (body == NULL)
    return -1;
  rc = bucket_call(c, "PUT", bucket, "encryption", body, 1, NULL, err);
  free(body);
  return rc;
}

/* ---- Tagging ---- */

char *sw_s3_tagging_body(const struct sw_tag *tags, size_t tag_count,
                         struct sw_error *err) {
  struct sw_buf b;
  int rc;
  if (tag_count == 0) {
    sw_error_set(err, SW_ERR_CONFIG, "PutBucketTagging: no tags");
    return NULL;
  }
  if (sw_svc_check_tags("PutBucketTagging", tags, tag_count, SW_SVC_MAX_TAGS,
                        err))
    return NULL;
  sw_buf_init(&b, 65536);
  rc = sw_buf_append_str(&b, "<Tagging xmlns=\"" S3_NS "\"><TagSet>");
  for (size_t i = 0; rc == 0 && i < tag_count; i++) {
    rc = sw_buf_append_str(&b, "<Tag>");
    if (rc == 0)
      rc = add_elem(&b, "Key", tags[i].key);
    if (rc == 0)
      rc = add_elem(&b, "Value", tags[i].value);
    if (rc == 0)
      rc = sw_buf_append_str(&b, "</Tag>");
  }
  if (rc == 0)
    rc = sw_buf_append_str(&b, "</TagSet></Tagging>");
  return finish(&b, rc, "PutBucketTagging", err);
}

int sw_s3_put_bucket_tagging(struct sw_client *c, const char *bucket,
                             const struct sw_tag *tags, size_t tag_count,
                             struct sw_error *err) {
  char *body;
  int rc;
  if (check_bucket("PutBucketTagging", bucket, err))
    return -1;
  body = sw_s3_tagging_body(tags, tag_count, err);
  if (body == NULL)
    return -1;
  rc = bucket_call(c, "PUT", bucket, "tagging", body, 1, NULL, err);
  free(body);
  return rc;
}

/* Parses an S3 answer and checks its root element. */
static xmlDoc *s3_doc(const char *xml, size_t len, const char *root,
                      const char *op, struct sw_error *err) {
  xmlDoc *doc = sw_xml_parse(xml, len, err);
  xmlNode *r = sw_xml_root(doc);
  if (doc == NULL)
    return NULL;
  if (strcmp((const char *)r->name, root) != 0) {
    sw_error_set(err, SW_ERR_PARSE, "%s: expected <%s>, got <%s>", op, root,
                 (const char *)r->name);
    xmlFreeDoc(doc);
    return NULL;
  }
  return doc;
}

int sw_s3_tagging_parse(const char *xml, size_t len, struct sw_tag_list *out,
                        struct sw_error *err) {
  xmlDoc *doc;
  int rc;
  sw_tag_list_init(out);
  doc = s3_doc(xml, len, "Tagging", "GetBucketTagging", err);
  if (doc == NULL)
    return -1;
  rc = sw_svc_xml_pairs(sw_xml_root(doc), "TagSet", "Tag", "Key", "Value",
                        SW_SVC_MAX_TAGS, "GetBucketTagging", out, err);
  xmlFreeDoc(doc);
  return rc;
}

int sw_s3_get_bucket_tagging(struct sw_client *c, const char *bucket,
                             struct sw_tag_list *out, struct sw_error *err) {
  struct sw_error local;
  struct sw_http_response resp;
  int rc;
  sw_tag_list_init(out);
  sw_error_clear(&local);
  if (err == NULL)
    err = &local; /* NoSuchTagSet is told apart by the error */
  if (check_bucket("GetBucketTagging", bucket, err))
    return -1;
  sw_http_response_init(&resp);
  rc = bucket_call(c, "GET", bucket, "tagging", NULL, 0, &resp, err);
  if (rc == 0)
    rc = sw_s3_tagging_parse(resp.body.data ? resp.body.data : "",
                             resp.body.len, out, err);
  else if (strcmp(err->code, "NoSuchTagSet") == 0) {
    sw_error_clear(err);
    rc = 0;
  }
  sw_http_response_clean_up(&resp);
  return rc;
}

int sw_s3_delete_bucket(struct sw_client *c, const char *bucket,
                        struct sw_error *err) {
  if (check_bucket("DeleteBucket", bucket, err))
    return -1;
  return bucket_call(c, "DELETE", bucket, NULL, NULL, 0, NULL, err);
}

/* ---- DeleteObject ---- */

int sw_s3_object_key_valid(const char *key) {
  size_t n = key ? strlen(key) : 0;
  return n >= 1 && n <= SW_S3_MAX_KEY;
}

int sw_s3_delete_object(struct sw_client *c, const char *bucket,
                        const char *key, struct sw_error *err) {
  if (check_bucket("DeleteObject", bucket, err))
    return -1;
  if (!sw_s3_object_key_valid(key))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "DeleteObject: key in bucket %s must be 1 to %d "
                        "bytes",
                        bucket, SW_S3_MAX_KEY);
  return s3_call(c, "DELETE", bucket, key, NULL, NULL, 0, NULL, err);
}

/* ---- ListObjectsV2 ---- */

/* Appends name=value with the value RFC 3986 encoded. */
static int add_query(struct sw_buf *b, const char *name, const char *value) {
  int rc = sw_buf_printf(b, "%s%s=", b->len ? "&" : "", name);
  for (const unsigned char *s = (const unsigned char *)value; rc == 0 && *s;
       s++) {
    if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
        (*s >= '0' && *s <= '9') || strchr("-._~", *s))
      rc = sw_buf_append_char(b, (char)*s);
    else
      rc = sw_buf_printf(b, "%%%02X", *s);
  }
  return rc;
}

char *sw_s3_list_objects_query(const struct sw_s3_list_req *req,
                               struct sw_error *err) {
  struct sw_buf b;
  int rc = 0;
  if (req->max_keys < 0 || req->max_keys > 1000) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "ListObjectsV2: max-keys %d outside "
                 "1..1000",
                 req->max_keys);
    return NULL;
  }
  sw_buf_init(&b, 65536);
  /* sorted by name, as SigV4's canonical query string wants */
  if (!sw_svc_empty(req->continuation_token))
    rc = add_query(&b, "continuation-token", req->continuation_token);
  if (rc == 0)
    rc = add_query(&b, "list-type", "2");
  if (rc == 0 && req->max_keys) {
    char num[16];
    snprintf(num, sizeof(num), "%d", req->max_keys);
    rc = add_query(&b, "max-keys", num);
  }
  if (rc == 0 && !sw_svc_empty(req->prefix))
    rc = add_query(&b, "prefix", req->prefix);
  return finish(&b, rc, "ListObjectsV2", err);
}

void sw_s3_list_resp_clean_up(struct sw_s3_list_resp *r) {
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->count; i++)
    free(r->objects[i].key);
  free(r->objects);
  free(r->next_continuation_token);
  memset(r, 0, sizeof(*r));
  r->key_count = -1;
}

static int parse_object(xmlNode *c, size_t i, void *item,
                        struct sw_error *err) {
  struct sw_s3_object *o = item;
  long long v;
  o->size = -1;
  if (sw_svc_xml_dup(c, "Key", 4096, &o->key, err))
    return -1;
  if (o->key == NULL)
    return sw_error_set(err, SW_ERR_PARSE,
                        "ListObjectsV2: Contents[%zu] has no Key", i);
  if (sw_svc_xml_int64(c, "Size", &v) == 0)
    o->size = v;
  o->has_last_modified =
      sw_svc_xml_time(c, "LastModified", &o->last_modified_s) == 0;
  return 0;
}

int sw_s3_list_objects_parse(const char *xml, size_t len,
                             struct sw_s3_list_resp *out,
                             struct sw_error *err) {
  xmlDoc *doc;
  xmlNode *root;
  long long v;
  int rc;
  memset(out, 0, sizeof(*out));
  out->key_count = -1;
  doc = s3_doc(xml, len, "ListBucketResult", "ListObjectsV2", err);
  if (doc == NULL)
    return -1;
  root = sw_xml_root(doc);
  rc = sw_svc_xml_items(root, NULL, "Contents", SW_SVC_MAX_LIST,
                        sizeof(*out->objects), parse_object, "ListObjectsV2",
                        (void **)&out->objects, &out->count, err);
  if (rc == 0)
    rc = sw_svc_xml_dup(root, "NextContinuationToken", SW_SVC_MAX_STR,
                        &out->next_continuation_token, err);
  if (sw_svc_xml_bool(root, "IsTruncated", &out->is_truncated) != 0)
    out->is_truncated = 0;
  if (sw_svc_xml_int64(root, "KeyCount", &v) == 0)
    out->key_count = v;
  xmlFreeDoc(doc);
  if (rc != 0)
    sw_s3_list_resp_clean_up(out);
  return rc;
}

int sw_s3_list_objects(struct sw_client *c, const char *bucket,
                       const struct sw_s3_list_req *req,
                       struct sw_s3_list_resp *out, struct sw_error *err) {
  struct sw_http_response resp;
  char *query;
  int rc;
  memset(out, 0, sizeof(*out));
  out->key_count = -1;
  if (check_bucket("ListObjectsV2", bucket, err))
    return -1;
  query = sw_s3_list_objects_query(req, err);
  if (query == NULL)
    return -1;
  sw_http_response_init(&resp);
  rc = bucket_call(c, "GET", bucket, query, NULL, 0, &resp, err);
  if (rc == 0)
    rc = sw_s3_list_objects_parse(resp.body.data ? resp.body.data : "",
                                  resp.body.len, out, err);
  sw_http_response_clean_up(&resp);
  free(query);
  return rc;
}
