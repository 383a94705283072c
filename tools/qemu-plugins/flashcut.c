/* flashcut: a QEMU TCG plugin that counts the guest's stores into one address range and, when
 * asked, cuts the power right after the K-th of them by killing QEMU with SIGKILL.
 *
 *   qemu-system-arm ... -plugin flashcut.so,lo=0x21000000,hi=0x22000000[,k=123][,out=FILE]
 *
 *   lo, hi  the range, [lo, hi): a store counts when its first byte lies in it. On M-profile the
 *           address QEMU reports is the physical address.
 *   k       cut after the k-th store (k >= 1): the k-th store has reached memory (with a
 *           file-backed, shared memory backend: the file) and the (k+1)-th has not. Without k
 *           nothing is cut and the count is reported when QEMU exits, so a first run learns how
 *           many cut points there are.
 *   out     write the report to FILE instead of stderr.
 *
 * Report (at exit, only if no cut happened): "flashcut: N stores in [0xLO, 0xHI)".
 * A count is one memory access as QEMU performs it: STRB, STRH, STR and STRD count once each
 * (QEMU 10 does an aligned STRD as one 8-byte access), STM and PUSH once per register. The count
 * is exact and repeatable: it depends only on the guest's instructions, not on timing, so no
 * -icount is needed. */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

IFU_QEMU_PLUGIN_EXPORT int qemu_plugin_version = IFU_QEMU_PLUGIN_VERSION;

static uint64_t range_lo;
static uint64_t range_hi;
static uint64_t cut_at; /* 0: never */
static uint64_t stores;
static char *out_path;

static void on_store(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
    (void)vcpu;
    (void)info;
    (void)udata;
    if (vaddr < range_lo || vaddr >= range_hi) {
        return;
    }
    stores++;
    if (stores == cut_at) {
        /* SIGKILL cannot be caught: QEMU stops here, as a board does when its supply fails. */
        raise(SIGKILL);
    }
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        qemu_plugin_register_vcpu_mem_cb(qemu_plugin_tb_get_insn(tb, i), on_store,
                                         QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_W, NULL);
    }
}

static void on_exit_report(qemu_plugin_id_t id, void *udata)
{
    (void)id;
    (void)udata;
    FILE *f = stderr;
    if (out_path != NULL) {
        f = fopen(out_path, "w");
        if (f == NULL) {
            fprintf(stderr, "flashcut: cannot write %s\n", out_path);
            f = stderr;
        }
    }
    fprintf(f, "flashcut: %" PRIu64 " stores in [0x%" PRIx64 ", 0x%" PRIx64 ")\n", stores, range_lo,
            range_hi);
    if (f != stderr) {
        fclose(f);
    }
    free(out_path);
}

/* Parse "name=value" with a number in C notation (0x..., decimal). */
static int number_arg(const char *arg, const char *name, uint64_t *value)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0 || arg[n] != '=' || arg[n + 1] == '\0') {
        return 0;
    }
    char *end;
    *value = strtoull(arg + n + 1, &end, 0);
    return *end == '\0' ? 1 : -1;
}

IFU_QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
                                               int argc, char **argv)
{
    int have_lo = 0;
    int have_hi = 0;

    (void)info;
    for (int i = 0; i < argc; i++) {
        int r;
        if ((r = number_arg(argv[i], "lo", &range_lo)) != 0) {
            have_lo = r;
        } else if ((r = number_arg(argv[i], "hi", &range_hi)) != 0) {
            have_hi = r;
        } else if ((r = number_arg(argv[i], "k", &cut_at)) != 0) {
            if (r < 0 || cut_at == 0) {
                fprintf(stderr, "flashcut: k must be a number >= 1: %s\n", argv[i]);
                return -1;
            }
        } else if (strncmp(argv[i], "out=", 4) == 0 && argv[i][4] != '\0') {
            free(out_path);
            out_path = strdup(argv[i] + 4);
        } else {
            fprintf(stderr, "flashcut: unknown argument %s (want lo=, hi=, k=, out=)\n", argv[i]);
            return -1;
        }
    }
    if (have_lo != 1 || have_hi != 1 || range_hi <= range_lo) {
        fprintf(stderr, "flashcut: need lo=ADDR and hi=ADDR with lo < hi\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_exit_report, NULL);
    return 0;
}
