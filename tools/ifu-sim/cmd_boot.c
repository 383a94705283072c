/* The two halves of include/ifu/boot.h: the application's (request, confirm,
 * state) and the bootloader's (boot: one reset, with an optional power cut). */
#include <stdio.h>
#include <string.h>

#include "sim_cli.h"

enum {
    O_HELP = 1,
    O_FLASH,
    O_KEY,
    O_CUT_AT,
    O_CUT,
    O_SEED,
};

static const struct cli_opt app_table[] = {
    {"help", 'h', 0, O_HELP},
    {"flash", 'f', 1, O_FLASH},
    {NULL, 0, 0, 0},
};

/* Parse --flash and at most max positional arguments into pos[]. Returns 1
 * after printing help, 0, or a negative code. */
static int parse_app(int argc, char **argv, const char *cmd, const char *help, const char **path,
                     const char **pos, int max, int *count)
{
    struct cli_optparse p;
    const char *vals[2];
    int id;

    *path = NULL;
    *count = 0;
    cli_opt_init(&p, cmd, argc, argv);
    while ((id = cli_opt_next(&p, app_table, vals)) != CLI_OPT_END) {
        switch (id) {
        case O_HELP:
            fputs(help, stdout);
            return 1;
        case O_FLASH:
            *path = vals[0];
            break;
        case CLI_OPT_POSITIONAL:
            if (*count >= max) {
                return cli_fail(IFU_EINVAL, cmd, "unexpected argument '%s'", vals[0]);
            }
            pos[(*count)++] = vals[0];
            break;
        default:
            return id;
        }
    }
    if (*path == NULL) {
        return cli_fail(IFU_EINVAL, cmd, "missing option -f/--flash");
    }
    return 0;
}

/* ---- request ---- */

static const char request_help[] =
    "usage: ifu-sim request --flash FILE test|permanent\n"
    "\n"
    "As the application, ask the bootloader to install the staged image at the next reset\n"
    "(ifu_boot_request): `test` boots it once on trial, and the reset after that reverts\n"
    "unless it was confirmed; `permanent` installs it for good. Overwrite mode has no test.\n";

int sim_cmd_request(int argc, char **argv)
{
    const char *path;
    const char *pos[1] = {NULL};
    int count;
    int r = parse_app(argc, argv, "request", request_help, &path, pos, 1, &count);
    if (r != 0) {
        return r > 0 ? 0 : r;
    }
    if (count == 0) {
        return cli_fail(IFU_EINVAL, "request", "missing argument: test or permanent");
    }
    enum ifu_boot_request_kind kind;
    if (strcmp(pos[0], "test") == 0) {
        kind = IFU_BOOT_REQ_TEST;
    } else if (strcmp(pos[0], "permanent") == 0) {
        kind = IFU_BOOT_REQ_PERMANENT;
    } else {
        return cli_fail(IFU_EINVAL, "request", "'%s' is neither test nor permanent", pos[0]);
    }
    struct sim_dev dev;
    struct ifu_boot_config cfg;
    int err = sim_dev_open(&dev, path, 1);
    if (err) {
        return err;
    }
    err = sim_dev_require_idle(&dev, "request");
    if (!err) {
        sim_dev_config(&dev, 1, NULL, &cfg);
        err = ifu_boot_request(&cfg, kind);
        if (err == IFU_ESTATE) {
            cli_fail(err, "request",
                     "the secondary's trailer already holds another request or a refusal: "
                     "stage the image again first");
        } else if (err == IFU_EUNSUPPORTED) {
            cli_fail(err, "request", "the %s mode has no test boot: request permanent",
                     sim_mode_name(dev.mode));
        } else if (err) {
            sim_fail_ifu(err, "request", "ifu_boot_request failed");
        }
    }
    if (!err) {
        printf("requested: the staged image installs at the next reset, %s\n",
               kind == IFU_BOOT_REQ_TEST ? "as a test" : "permanently");
    }
    sim_dev_close(&dev);
    return err;
}

/* ---- confirm ---- */

static const char confirm_help[] =
    "usage: ifu-sim confirm --flash FILE\n"
    "\n"
    "As the application, declare the running image good (ifu_boot_confirm): its trial ends\n"
    "and later resets keep it. Confirming a confirmed image changes nothing.\n";

int sim_cmd_confirm(int argc, char **argv)
{
    const char *path;
    int count;
    int r = parse_app(argc, argv, "confirm", confirm_help, &path, NULL, 0, &count);
    if (r != 0) {
        return r > 0 ? 0 : r;
    }
    struct sim_dev dev;
    struct ifu_boot_config cfg;
    struct ifu_boot_status before = {0};
    struct ifu_boot_status after = {0};
    int err = sim_dev_open(&dev, path, 1);
    if (err) {
        return err;
    }
    err = sim_dev_require_idle(&dev, "confirm");
    if (!err) {
        sim_dev_config(&dev, 1, NULL, &cfg);
        err = ifu_boot_state(&cfg, &before);
        if (!err) {
            err = ifu_boot_confirm(&cfg);
        }
        if (!err) {
            err = ifu_boot_state(&cfg, &after);
        }
        if (err) {
            sim_fail_ifu(err, "confirm", "ifu_boot_confirm failed");
        }
    }
    if (!err) {
        if (before.running == IFU_BOOT_STATE_TESTING) {
            printf("confirmed: the image on trial stays (state %s)\n",
                   sim_state_name(after.running));
        } else {
            printf("confirmed: nothing to do, the running image was already %s\n",
                   sim_state_name(before.running));
        }
    }
    sim_dev_close(&dev);
    return err;
}

/* ---- state ---- */

static const char state_help[] =
    "usage: ifu-sim state --flash FILE\n"
    "\n"
    "Print the boot state as the application reads it (ifu_boot_state), one `name: value`\n"
    "per line: running (testing, confirmed, reverted), pending (none, install-test,\n"
    "install-permanent), in-progress (yes while an interrupted install or revert awaits the\n"
    "bootloader), staged-error (why the bootloader refused the staged image, or none).\n";

int sim_cmd_state(int argc, char **argv)
{
    const char *path;
    int count;
    int r = parse_app(argc, argv, "state", state_help, &path, NULL, 0, &count);
    if (r != 0) {
        return r > 0 ? 0 : r;
    }
    struct sim_dev dev;
    struct ifu_boot_config cfg;
    struct ifu_boot_status st;
    int err = sim_dev_open(&dev, path, 1);
    if (err) {
        return err;
    }
    sim_dev_config(&dev, 1, NULL, &cfg);
    err = ifu_boot_state(&cfg, &st);
    if (err) {
        sim_fail_ifu(err, "state", "ifu_boot_state failed");
    } else {
        printf("running: %s\npending: %s\nin-progress: %s\nstaged-error: %s\n",
               sim_state_name(st.running), sim_state_name(st.pending),
               st.in_progress ? "yes" : "no",
               st.staged_err != 0 ? ifu_strerror(st.staged_err) : "none");
    }
    sim_dev_close(&dev);
    return err;
}

/* ---- boot ---- */

static const struct cli_opt boot_table[] = {
    {"help", 'h', 0, O_HELP}, {"flash", 'f', 1, O_FLASH},
    {"key", 'k', 1, O_KEY},   {"cut-at", 0, 1, O_CUT_AT},
    {"cut", 0, 1, O_CUT},     {"seed", 0, 1, O_SEED},
    {NULL, 0, 0, 0},
};

static const char boot_help[] =
    "usage: ifu-sim boot --flash FILE --key KEY [--cut-at N [--cut clean|done|torn]] [--seed S]\n"
    "\n"
    "Reset the device: run the boot engine (ifu_boot_go) once with KEY as the only trusted\n"
    "key, print each thing it does, the image it boots and the flash operations it needed.\n"
    "\n"
    "  -f, --flash FILE   the device's flash file\n"
    "  -k, --key KEY      trusted key: a private or public PEM (`ifu getpub -e pem`)\n"
    "      --cut-at N     cut the power at the N-th flash operation (program or erase) of\n"
    "                     this boot, N >= 1; the flash keeps what the cut left\n"
    "      --cut MODE     what the cut operation does: clean (not done), done (completed),\n"
    "                     torn (default: a program lands half its bits, an erase leaves\n"
    "                     random bytes)\n"
    "      --seed S       seed of the torn bytes (default 1): the same seed, the same bytes\n"
    "\n"
    "Exit status: 0 an image boots, 1 no bootable image, 5 the power was cut.\n";

struct boot_log {
    struct sim_dev *dev;
};

static const char *slot_word(const struct sim_dev *dev, unsigned slot)
{
    if (dev->mode == IFU_BOOT_MODE_XIP) {
        return slot ? "slot B" : "slot A";
    }
    return slot ? "the secondary" : "the primary";
}

static void on_event(void *ctx, enum ifu_boot_event ev, unsigned slot, int err)
{
    struct boot_log *log = ctx;
    struct sim_dev *dev = log->dev;
    unsigned long long op = (unsigned long long)dev->sim.stats.ops;

    printf("  [op %4llu] ", op);
    switch (ev) {
    case IFU_BOOT_EV_RESUME:
        printf("resume: an install or revert was interrupted; finishing it from the journal\n");
        break;
    case IFU_BOOT_EV_INSTALL:
        printf("install: the staged image verified; installing it\n");
        break;
    case IFU_BOOT_EV_INSTALLED:
        printf("installed\n");
        break;
    case IFU_BOOT_EV_REJECTED:
        printf("rejected: the image in %s refused: %s\n", slot_word(dev, slot), ifu_strerror(err));
        break;
    case IFU_BOOT_EV_TRIAL:
        printf("trial: the new image boots once unconfirmed; the next reset reverts it unless it "
               "confirms\n");
        break;
    case IFU_BOOT_EV_REVERT:
        printf("revert: the image on trial was not confirmed; restoring the previous one\n");
        break;
    case IFU_BOOT_EV_REVERTED:
        printf("reverted\n");
        break;
    case IFU_BOOT_EV_BOOT:
        printf("boot: the image in %s verified\n", slot_word(dev, slot));
        break;
    case IFU_BOOT_EV_NO_IMAGE:
        printf("no image: nothing bootable (%s); the recovery hook runs\n", ifu_strerror(err));
        break;
    default:
        printf("event %d (slot %u, %s)\n", (int)ev, slot, ifu_strerror(err));
        break;
    }
}

static void print_stats(const struct sim_dev *dev)
{
    const struct ifu_sim_stats *s = &dev->sim.stats;
    printf("flash: %llu operations: %llu erases, %llu programs (%llu bytes)\n",
           (unsigned long long)s->ops, (unsigned long long)s->erases, (unsigned long long)s->progs,
           (unsigned long long)s->prog_bytes);
    if (s->prog_over != 0 || s->misuse != 0) {
        printf("flash: the simulator refused %llu programs over unerased bytes and %llu "
               "misaligned requests\n",
               (unsigned long long)s->prog_over, (unsigned long long)s->misuse);
    }
}

int sim_cmd_boot(int argc, char **argv)
{
    struct cli_optparse p;
    const char *vals[2];
    const char *path = NULL;
    const char *key_path = NULL;
    uint64_t cut_at = 0;
    uint64_t seed = 1;
    enum ifu_sim_cut mode = IFU_SIM_CUT_TORN;
    const char *mode_name = "torn";
    int have_mode = 0;
    int id;

    cli_opt_init(&p, "boot", argc, argv);
    while ((id = cli_opt_next(&p, boot_table, vals)) != CLI_OPT_END) {
        int err = 0;
        switch (id) {
        case O_HELP:
            fputs(boot_help, stdout);
            return 0;
        case O_FLASH:
            path = vals[0];
            break;
        case O_KEY:
            key_path = vals[0];
            break;
        case O_CUT_AT:
            err = cli_parse_uint(vals[0], UINT32_MAX, "--cut-at", &cut_at);
            if (!err && cut_at == 0) {
                err = cli_fail(IFU_EINVAL, "--cut-at", "operations count from 1");
            }
            break;
        case O_CUT:
            have_mode = 1;
            mode_name = vals[0];
            if (strcmp(vals[0], "clean") == 0) {
                mode = IFU_SIM_CUT_CLEAN;
            } else if (strcmp(vals[0], "done") == 0) {
                mode = IFU_SIM_CUT_DONE;
            } else if (strcmp(vals[0], "torn") == 0) {
                mode = IFU_SIM_CUT_TORN;
            } else {
                err =
                    cli_fail(IFU_EINVAL, "--cut", "'%s' is not one of: clean, done, torn", vals[0]);
            }
            break;
        case O_SEED:
            err = cli_parse_uint(vals[0], UINT64_MAX, "--seed", &seed);
            break;
        case CLI_OPT_POSITIONAL:
            return cli_fail(IFU_EINVAL, "boot", "unexpected argument '%s'", vals[0]);
        default:
            return id;
        }
        if (err) {
            return err;
        }
    }
    if (path == NULL) {
        return cli_fail(IFU_EINVAL, "boot", "missing option -f/--flash");
    }
    if (key_path == NULL) {
        return cli_fail(IFU_EINVAL, "boot", "missing option -k/--key (the trusted public key)");
    }
    if (have_mode && cut_at == 0) {
        return cli_fail(IFU_EINVAL, "--cut", "needs --cut-at");
    }

    struct sim_key key;
    int err = sim_key_load(key_path, &key);
    if (err) {
        sim_key_free(&key);
        return err;
    }
    struct sim_dev dev;
    err = sim_dev_open(&dev, path, seed != 0 ? seed : 1);
    if (err) {
        sim_key_free(&key);
        return err;
    }
    struct boot_log log = {&dev};
    struct ifu_boot_config cfg;
    static struct ifu_boot engine; /* 2 KiB of verifier state: not on the stack */
    struct ifu_boot_result res;

    sim_dev_config(&dev, 0, &key.ring, &cfg);
    cfg.event = on_event;
    cfg.hook_ctx = &log;
    printf("reset: %s-mode bootloader, trusted key %s %s\n", sim_mode_name(dev.mode),
           cli_key_type_name(key.key.type), key.id);
    ifu_sim_reset_stats(&dev.sim);
    if (cut_at != 0) {
        ifu_sim_arm_cut(&dev.sim, cut_at, mode);
    }
    err = ifu_boot_go(&engine, &cfg, &res);
    if (ifu_sim_cut_fired(&dev.sim)) {
        char what[128];
        sim_dev_last_op(&dev, what, sizeof what);
        printf("power cut: the device lost power at flash operation %llu (%s, %s)\n",
               (unsigned long long)cut_at, what, mode_name);
        print_stats(&dev);
        err = SIM_ECUT;
    } else if (err == 0) {
        char ver[40];
        const struct ifu_image_version *v = &res.info.hdr.version;
        snprintf(ver, sizeof ver, "%u.%u.%u+%u", (unsigned)v->major, (unsigned)v->minor,
                 (unsigned)v->revision, (unsigned)v->build);
        printf("booted: version %s from %s (slot %u), state %s\n", ver, slot_word(&dev, res.slot),
               res.slot, sim_state_name(res.state));
        print_stats(&dev);
        if (cut_at != 0) {
            printf("note: the boot needed %llu flash operations; the cut at %llu never came\n",
                   (unsigned long long)dev.sim.stats.ops, (unsigned long long)cut_at);
        }
        if (dev.mode == IFU_BOOT_MODE_XIP && dev.running != res.slot) {
            dev.running = res.slot;
            err = sim_dev_save(&dev);
        }
    } else if (err == IFU_ENOIMAGE) {
        printf("no bootable image: the device stays in its bootloader\n");
        print_stats(&dev);
    } else {
        print_stats(&dev);
        sim_fail_ifu(err, "boot", "the boot engine stopped");
    }
    sim_dev_close(&dev);
    sim_key_free(&key);
    return err;
}
