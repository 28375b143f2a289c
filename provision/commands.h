/* The commands: short loops over the step list (commands.c) and the verify
 * canary (verify.c). Each returns the process exit code (args.h). */
#ifndef PV_COMMANDS_H
#define PV_COMMANDS_H

#include "provision/ctx.h"

/* plan (CHECK), apply (APPLY), status (CHECK; exit 3 on any finding). */
int pv_cmd_converge(struct pv_ctx *c);
/* Every step's destroy, in reverse order. */
int pv_cmd_destroy(struct pv_ctx *c);
/* Prints the <Plugin secretwatch> block. */
int pv_cmd_collectd_config(struct pv_ctx *c);
/* Reads the secret once and times each stage of the chain. */
int pv_cmd_verify(struct pv_ctx *c);

#endif
