/* The resident launcher (serve.c). */
#ifndef CTVM_NSEXEC_SERVE_H
#define CTVM_NSEXEC_SERVE_H

/* Serves launch requests on stdin / spares' connections to SOCK until stdin closes. */
int serve(const char *sock);

#endif
