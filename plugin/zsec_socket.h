/*
 * zsec_socket: the plugin's unix socket, where zsecd pushes plans, asks for
 * the state of every link and receives events.
 *
 * One job thread serves it with poll(): it accepts root only (SO_PEERCRED),
 * applies plans, answers status requests, and writes queued events to every
 * client without ever blocking charon.
 */
#ifndef ZSEC_SOCKET_H_
#define ZSEC_SOCKET_H_

#include "zsec_config.h"
#include "zsec_events.h"

typedef struct zsec_socket_t zsec_socket_t;

struct zsec_socket_t {

	void (*destroy)(zsec_socket_t *this);
};

/**
 * Open the socket at charon.plugins.zsec.socket (default below) and start
 * serving it.  NULL if it cannot be opened.
 */
zsec_socket_t *zsec_socket_create(zsec_config_t *config, zsec_events_t *events);

#define ZSEC_SOCKET_DEFAULT "/run/zsec/charon.sock"

/**
 * One line per link: its state, SPIs, reqid and counters (zsec_status.c).
 * The caller frees the result.
 */
char *zsec_status(zsec_config_t *config);

#endif /** ZSEC_SOCKET_H_ @}*/
