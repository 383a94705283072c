/* `ifu smp`: MCUmgr's SMP over a serial line, host side (docs/CLI.md "ifu smp",
 * docs/SMP.md). CBOR through Debian's libcbor; the framing is written here,
 * independently of the device-side code in examples/smp_uart/. Not installed. */
#ifndef IFU_CLI_SMP_H
#define IFU_CLI_SMP_H

#include <stddef.h>
#include <stdint.h>

#include <cbor.h>

#include "cli.h"

/* One serial line to a device. */
struct smp_link {
    int fd;
    const char *port;
    int timeout_ms;    /* per request */
    uint8_t seq;       /* sequence number of the next request */
    uint64_t sent;     /* bytes written to the line */
    uint64_t received; /* bytes read from the line */
    uint64_t requests; /* requests answered */
    uint8_t *rx;       /* bytes read but not yet used */
    size_t rx_len;
    size_t rx_cap;
};

/* Open port (a tty or pty) in raw mode and drop stale input. */
int smp_link_open(struct smp_link *l, const char *port, int timeout_ms);
void smp_link_close(struct smp_link *l);

/* Send one request (op 0 read or 2 write; body: a CBOR map, or NULL for {})
 * and wait for its response (same group, id and sequence number). *rsp is
 * the decoded response body (a map), to cbor_decref. Fails with IFU_EIO
 * (line, timeout, malformed response) after a message naming what. */
int smp_link_call(struct smp_link *l, const char *what, uint8_t op, uint16_t group, uint8_t id,
                  cbor_item_t *body, cbor_item_t **rsp);

/* Reassembly of one response from received lines. Zero-initialise; free
 * pkt with cli_buf_free. */
struct smp_rx {
    struct cli_buf pkt;
    size_t want; /* packet + CRC */
    int started;
};

/* The receiving half of smp_link_call: take one received line (without its
 * newline) while waiting for the response to the request (op, group, seq,
 * id). Returns 0 to wait for more lines (console text, a frame of an
 * unfinished packet, a packet with a bad CRC or answering another request);
 * 1 with *rsp, the decoded body (a CBOR map, to cbor_decref), when the
 * response is complete; or IFU_EIO after a message naming what, for a
 * response whose length or body is malformed. */
int smp_rx_line(struct smp_rx *r, const uint8_t *line, size_t line_len, uint8_t op, uint16_t group,
                uint8_t seq, uint8_t id, const char *what, cbor_item_t **rsp);

/* Bytes one packet of len bytes takes on the wire (framing, base64, CRC). */
size_t smp_wire_size(size_t len);

/* Value of key in a map with text keys, or NULL. */
cbor_item_t *smp_map_get(const cbor_item_t *map, const char *key);

/* A CBOR unsigned integer in its shortest form (libcbor's builders have a
 * fixed width each). */
cbor_item_t *smp_build_uint(uint64_t v);

/* Add key: value to a map (takes the value's reference). */
void smp_map_put(cbor_item_t *map, const char *key, cbor_item_t *value);

int cli_cmd_smp(int argc, char **argv);

#endif /* IFU_CLI_SMP_H */
