/* libxml2 helpers with limits, for AWS query and S3 answers.
 *
 * Parsing never touches the network, never expands entities and never loads
 * DTDs. Element names are matched by local name, ignoring namespaces, as the
 * AWS answers put every element in the service's default namespace. */
#ifndef SW_XML_H
#define SW_XML_H

#include "lib/error.h"

#include <libxml/tree.h>
#include <stddef.h>

#define SW_XML_MAX_SIZE ((size_t)32 << 20)
#define SW_XML_MAX_DEPTH 64

/* Parses len bytes; returns a document the caller frees with xmlFreeDoc, or
 * NULL with err (SW_ERR_PARSE) saying what was wrong. */
xmlDoc *sw_xml_parse(const char *text, size_t len, struct sw_error *err);

/* The document's root element, or NULL. */
xmlNode *sw_xml_root(xmlDoc *doc);
/* The first element child of parent named name, or NULL. */
xmlNode *sw_xml_child(xmlNode *parent, const char *name);
/* The next element sibling of node with the same name, or NULL. */
xmlNode *sw_xml_next(xmlNode *node);
/* Follows "A/B/C" from parent through first matching children. */
xmlNode *sw_xml_path(xmlNode *parent, const char *path);

/* The text of an element (concatenated text children) as a heap string the
 * caller frees; NULL when node is NULL. */
char *sw_xml_text(xmlNode *node);
/* sw_xml_text(sw_xml_path(parent, path)). */
char *sw_xml_path_text(xmlNode *parent, const char *path);
/* Copies the text at path into out (bounded); 0, or -1 when absent. */
int sw_xml_path_copy(xmlNode *parent, const char *path, char *out,
                     size_t out_size);

/* Escapes text for an XML element body into a heap string, or NULL. */
char *sw_xml_escape(const char *text);

#endif
