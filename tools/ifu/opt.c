/* Command-line options and the value grammars imgtool accepts.
 *
 * The parser behaves like imgtool's (click): options and positional
 * arguments in any order, "--name value" and "--name=value", "-k value" and
 * "-kvalue", bundled short flags ("-ab"), options with two values
 * (--custom-tlv TAG VALUE), and "--" to end the options. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* see cli.h */
void cli_opt_init(struct cli_optparse *p, const char *cmd, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->argc = argc;
    p->argv = argv;
    p->next = 1; /* argv[0] is the command name */
    p->cmd = cmd;
}

static const struct cli_opt *find_long(const struct cli_opt *table, const char *name, size_t len)
{
    for (const struct cli_opt *o = table; o->id != 0; o++) {
        if (o->name != NULL && strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
            return o;
        }
    }
    return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *table, char letter)
{
    for (const struct cli_opt *o = table; o->id != 0; o++) {
        if (o->letter != 0 && o->letter == letter) {
            return o;
        }
    }
    return NULL;
}

/* Take the values of option o: first from inline (text after '=' or after a
 * short letter), then from the following arguments. */
static int take_values(struct cli_optparse *p, const struct cli_opt *o, const char *shown,
                       const char *inline_val, const char *vals[2])
{
    int i = 0;
    if (inline_val != NULL) {
        vals[i++] = inline_val;
    }
    while (i < o->nargs) {
        if (p->next >= p->argc) {
            return cli_fail(IFU_EINVAL, p->cmd, "option %s requires %s", shown,
                            o->nargs == 1 ? "a value" : "two values");
        }
        vals[i++] = p->argv[p->next++];
    }
    return o->id;
}

/* see cli.h. The recursion is a tail call per "--" or option bundle: argc bounds it.
 * NOLINTNEXTLINE(misc-no-recursion) */
int cli_opt_next(struct cli_optparse *p, const struct cli_opt *table, const char *vals[2])
{
    vals[0] = NULL;
    vals[1] = NULL;

    if (p->bundle != NULL) {
        /* Inside "-abc": the next letter. */
        char letter = *p->bundle++;
        const struct cli_opt *o = find_short(table, letter);
        char shown[3] = {'-', letter, '\0'};
        if (o == NULL) {
            p->bundle = NULL;
            return cli_fail(IFU_EINVAL, p->cmd, "no such option: %s", shown);
        }
        const char *rest = *p->bundle != '\0' ? p->bundle : NULL;
        p->bundle = NULL;
        if (o->nargs == 0) {
            p->bundle = rest;
            return o->id;
        }
        return take_values(p, o, shown, rest, vals);
    }

    if (p->next >= p->argc) {
        return CLI_OPT_END;
    }
    const char *arg = p->argv[p->next++];
    if (p->only_positional || arg[0] != '-' || arg[1] == '\0') {
        vals[0] = arg;
        return CLI_OPT_POSITIONAL;
    }
    if (strcmp(arg, "--") == 0) {
        p->only_positional = 1;
        return cli_opt_next(p, table, vals);
    }
    if (arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        const struct cli_opt *o = find_long(table, name, len);
        if (o == NULL) {
            return cli_fail(IFU_EINVAL, p->cmd, "no such option: --%.*s", (int)len, name);
        }
        if (o->nargs == 0 && eq != NULL) {
            return cli_fail(IFU_EINVAL, p->cmd, "option --%s does not take a value", o->name);
        }
        char shown[64];
        snprintf(shown, sizeof shown, "--%s", o->name);
        return take_values(p, o, shown, eq != NULL ? eq + 1 : NULL, vals);
    }
    p->bundle = arg + 1;
    return cli_opt_next(p, table, vals);
}

/* Digits of text[*i..] in base, with single '_' between digits (Python's
 * literal grammar). allow_lead_us: a '_' may come first (after a prefix). */
static int parse_digits(const char *text, size_t *i, unsigned base, int allow_lead_us, uint64_t max,
                        uint64_t *out, int *overflow)
{
    uint64_t v = 0;
    size_t ndigits = 0;
    int last_us = 0;
    size_t j = *i;
    for (;; j++) {
        char c = text[j];
        if (c == '_') {
            if (last_us || (ndigits == 0 && !allow_lead_us)) {
                return IFU_EINVAL;
            }
            last_us = 1;
            continue;
        }
        unsigned d;
        if (c >= '0' && c <= '9') {
            d = (unsigned)(c - '0');
        } else if (c >= 'a' && c <= 'z') {
            d = (unsigned)(c - 'a') + 10;
        } else if (c >= 'A' && c <= 'Z') {
            d = (unsigned)(c - 'A') + 10;
        } else {
            break;
        }
        if (d >= base) {
            return IFU_EINVAL;
        }
        last_us = 0;
        ndigits++;
        if (v > (max - d) / base) {
            *overflow = 1;
            v = max;
        } else {
            v = v * base + d;
        }
    }
    if (ndigits == 0 || last_us) {
        return IFU_EINVAL;
    }
    *i = j;
    *out = v;
    return 0;
}

static int parse_int(const char *text, int auto_base, uint64_t max, const char *what, uint64_t *out)
{
    size_t i = 0;
    int neg = 0;
    int overflow = 0;
    uint64_t v = 0;
    const uint64_t limit = UINT64_MAX;

    while (isspace((unsigned char)text[i])) {
        i++;
    }
    if (text[i] == '+' || text[i] == '-') {
        neg = text[i] == '-';
        i++;
    }
    int bad;
    if (auto_base && text[i] == '0' && strchr("xXoObB", text[i + 1]) != NULL &&
        text[i + 1] != '\0') {
        char p = (char)tolower((unsigned char)text[i + 1]);
        unsigned base = p == 'x' ? 16 : (p == 'o' ? 8 : 2);
        i += 2;
        bad = parse_digits(text, &i, base, 1, limit, &v, &overflow);
    } else {
        size_t start = i;
        bad = parse_digits(text, &i, 10, 0, limit, &v, &overflow);
        if (!bad && auto_base && v == 0 && overflow == 0) {
            /* "0", "00", "0_0": fine. */
        } else if (!bad && auto_base && text[start] == '0') {
            bad = -1; /* Python refuses "010" in base 0 */
        }
    }
    while (!bad && isspace((unsigned char)text[i])) {
        i++;
    }
    if (bad || text[i] != '\0') {
        return cli_fail(IFU_EINVAL, what, "'%s' is not a valid integer%s", text,
                        auto_base ? " (use 0x, 0o or 0b prefixes for other bases)" : "");
    }
    if (neg && v != 0) {
        return cli_fail(IFU_EINVAL, what, "'%s' must not be negative", text);
    }
    if (overflow || v > max) {
        return cli_fail(IFU_EINVAL, what, "'%s' is too large (at most %llu)", text,
                        (unsigned long long)max);
    }
    *out = v;
    return 0;
}

/* see cli.h */
int cli_parse_uint(const char *text, uint64_t max, const char *what, uint64_t *out)
{
    return parse_int(text, 1, max, what, out);
}

/* see cli.h */
int cli_parse_dec(const char *text, uint64_t max, const char *what, uint64_t *out)
{
    return parse_int(text, 0, max, what, out);
}

/* One version component: "0" or a decimal without a leading zero. */
static int version_part(const char *text, size_t *i, uint64_t *out)
{
    size_t j = *i;
    if (text[j] < '0' || text[j] > '9') {
        return IFU_EINVAL;
    }
    if (text[j] == '0' && text[j + 1] >= '0' && text[j + 1] <= '9') {
        return IFU_EINVAL;
    }
    uint64_t v = 0;
    while (text[j] >= '0' && text[j] <= '9') {
        if (v <= UINT32_MAX) {
            v = v * 10 + (uint64_t)(text[j] - '0');
        }
        j++;
    }
    *i = j;
    *out = v;
    return 0;
}

/* see cli.h */
int cli_parse_version(const char *text, const char *what, struct ifu_image_version *out)
{
    static const char *const names[4] = {"major", "minor", "revision", "build"};
    static const uint64_t limits[4] = {255, 255, 65535, 4294967295u};
    static const char seps[4] = {'\0', '.', '.', '+'};
    uint64_t part[4] = {0, 0, 0, 0};
    size_t i = 0;

    for (int k = 0; k < 4; k++) {
        if (k > 0) {
            if (text[i] != seps[k]) {
                break;
            }
            i++;
        }
        if (version_part(text, &i, &part[k]) != 0) {
            i = (size_t)-1;
            break;
        }
    }
    if (i == (size_t)-1 || text[i] != '\0') {
        return cli_fail(IFU_EINVAL, what,
                        "'%s' is not a version: want major.minor.revision+build, later parts "
                        "optional, no leading zeros",
                        text);
    }
    for (int k = 0; k < 4; k++) {
        if (part[k] > limits[k]) {
            return cli_fail(IFU_EINVAL, what, "'%s': %s %llu is above %llu", text, names[k],
                            (unsigned long long)part[k], (unsigned long long)limits[k]);
        }
    }
    out->major = (uint8_t)part[0];
    out->minor = (uint8_t)part[1];
    out->revision = (uint16_t)part[2];
    out->build = (uint32_t)part[3];
    return 0;
}
