/* insncount: a QEMU TCG plugin that counts executed guest instructions exactly, in total and
 * per labelled address range, and reports the counts when QEMU exits.
 *
 *   qemu-system-arm ... -plugin insncount.so[,range=LO-HI:LABEL]...[,ranges=FILE][,out=FILE]
 *
 *   range   one code range [LO, HI) (numbers in C notation) whose instructions count under
 *           LABEL; several ranges may share a label, which then gets their sum.
 *   ranges  a file of ranges, one per line: "LO HI LABEL" (LABEL without blanks); empty lines and
 *           lines starting with '#' are skipped. bench/cortex-m/ranges.sh writes one from a
 *           linker map (one label per object file) or from `nm -S` (one per function).
 *   out     write the report to FILE instead of stderr.
 *
 * Bit 0 of LO and HI is ignored, so Thumb function addresses work both as `nm` prints them (even)
 * and as the ELF symbol table holds them (odd).
 * Ranges must not overlap. An instruction counts each time it starts executing (the callback
 * runs before it), so a faulting instruction counts once, as does the handler it enters.
 *
 * Report, one line each: "insncount: LABEL N" for every label in the order first given, then
 * "insncount: (other) N" for instructions outside every range and "insncount: total N".
 * Counts depend only on the guest's path: a program that waits on nothing (no UART polling,
 * no timers) gives the same counts on every run; with polling add -icount shift=0. */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

IFU_QEMU_PLUGIN_EXPORT int qemu_plugin_version = IFU_QEMU_PLUGIN_VERSION;

struct label {
    char *name;
    uint64_t count;
};

struct range {
    uint64_t lo;
    uint64_t hi;
    size_t label;
};

static struct label *labels;
static size_t n_labels;
static struct range *ranges;
static size_t n_ranges;
static uint64_t other;
static char *out_path;

static void *grow(void *p, size_t n, size_t size)
{
    /* Capacity doubles at powers of two: called with the new count n. */
    if ((n & (n - 1)) != 0) {
        return p;
    }
    void *q = realloc(p, (n == 0 ? 1 : 2 * n) * size);
    if (q == NULL) {
        fprintf(stderr, "insncount: out of memory\n");
        exit(1);
    }
    return q;
}

static size_t label_index(const char *name)
{
    for (size_t i = 0; i < n_labels; i++) {
        if (strcmp(labels[i].name, name) == 0) {
            return i;
        }
    }
    labels = grow(labels, n_labels, sizeof *labels);
    labels[n_labels].name = strdup(name);
    labels[n_labels].count = 0;
    return n_labels++;
}

static int add_range(uint64_t lo, uint64_t hi, const char *label)
{
    lo &= ~(uint64_t)1;
    hi &= ~(uint64_t)1;
    if (hi <= lo || label[0] == '\0') {
        return -1;
    }
    ranges = grow(ranges, n_ranges, sizeof *ranges);
    ranges[n_ranges].lo = lo;
    ranges[n_ranges].hi = hi;
    ranges[n_ranges].label = label_index(label);
    n_ranges++;
    return 0;
}

/* "LO-HI:LABEL" */
static int parse_range_arg(const char *s)
{
    char *end;
    uint64_t lo = strtoull(s, &end, 0);
    if (end == s || *end != '-') {
        return -1;
    }
    s = end + 1;
    uint64_t hi = strtoull(s, &end, 0);
    if (end == s || *end != ':') {
        return -1;
    }
    return add_range(lo, hi, end + 1);
}

static int read_ranges_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    char label[256];
    unsigned long line_no = 0;

    if (f == NULL) {
        fprintf(stderr, "insncount: cannot read %s\n", path);
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        uint64_t lo;
        uint64_t hi;
        line_no++;
        if (line[0] == '#' || line[0] == '\n') {
            continue;
        }
        /* Malformed numbers fail the count of 3; lo < hi is checked by add_range.
         * NOLINTNEXTLINE(cert-err34-c) */
        if (sscanf(line, "%" SCNx64 " %" SCNx64 " %255s", &lo, &hi, label) != 3 ||
            add_range(lo, hi, label) != 0) {
            fprintf(stderr, "insncount: %s:%lu: want \"LO HI LABEL\" (hex, LO < HI)\n", path,
                    line_no);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

static int by_lo(const void *a, const void *b)
{
    const struct range *x = a;
    const struct range *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The counter for an instruction at addr: its range's label, or `other`. */
static uint64_t *counter_for(uint64_t addr)
{
    size_t lo = 0;
    size_t hi = n_ranges;
    while (lo < hi) { /* first range with lo > addr */
        size_t mid = lo + (hi - lo) / 2;
        if (ranges[mid].lo <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo > 0 && addr < ranges[lo - 1].hi) {
        return &labels[ranges[lo - 1].label].count;
    }
    return &other;
}

static void on_insn(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    (*(uint64_t *)udata)++;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, QEMU_PLUGIN_CB_NO_REGS,
                                               counter_for(qemu_plugin_insn_vaddr(insn)));
    }
}

static void on_exit_report(qemu_plugin_id_t id, void *udata)
{
    (void)id;
    (void)udata;
    FILE *f = stderr;
    uint64_t total = other;

    if (out_path != NULL) {
        f = fopen(out_path, "w");
        if (f == NULL) {
            fprintf(stderr, "insncount: cannot write %s\n", out_path);
            f = stderr;
        }
    }
    for (size_t i = 0; i < n_labels; i++) {
        fprintf(f, "insncount: %s %" PRIu64 "\n", labels[i].name, labels[i].count);
        total += labels[i].count;
    }
    fprintf(f, "insncount: (other) %" PRIu64 "\n", other);
    fprintf(f, "insncount: total %" PRIu64 "\n", total);
    if (f != stderr) {
        fclose(f);
    }
}

IFU_QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
                                               int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "range=", 6) == 0) {
            if (parse_range_arg(argv[i] + 6) != 0) {
                fprintf(stderr, "insncount: bad %s (want range=LO-HI:LABEL, LO < HI)\n", argv[i]);
                return -1;
            }
        } else if (strncmp(argv[i], "ranges=", 7) == 0) {
            if (read_ranges_file(argv[i] + 7) != 0) {
                return -1;
            }
        } else if (strncmp(argv[i], "out=", 4) == 0 && argv[i][4] != '\0') {
            free(out_path);
            out_path = strdup(argv[i] + 4);
        } else {
            fprintf(stderr, "insncount: unknown argument %s (want range=, ranges=, out=)\n",
                    argv[i]);
            return -1;
        }
    }
    qsort(ranges, n_ranges, sizeof *ranges, by_lo);
    for (size_t i = 1; i < n_ranges; i++) {
        if (ranges[i].lo < ranges[i - 1].hi) {
            fprintf(stderr, "insncount: ranges overlap at 0x%" PRIx64 "\n", ranges[i].lo);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_exit_report, NULL);
    return 0;
}
