/* ifu-sim: a device whose flash lives in a file, driven from the command
 * line: factory-program an image, stage an update, request it, reset (run the
 * boot engine, optionally cutting the power at a chosen flash operation),
 * confirm, look at the slots. docs/SIM.md is the user's manual.
 *
 * main() picks the command; each command parses its own options and returns
 * 0 or a negative code after printing its one line of complaint; the code
 * becomes the exit status here. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim_cli.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"init", sim_cmd_init, "create an erased flash file for a layout"},
    {"flash", sim_cmd_flash, "factory-program an image into the primary slot"},
    {"stage", sim_cmd_stage, "write an update into the secondary slot (the application's job)"},
    {"request", sim_cmd_request, "ask for the staged image at the next reset: test|permanent"},
    {"confirm", sim_cmd_confirm, "declare the running image good"},
    {"state", sim_cmd_state, "print the boot state the application sees"},
    {"boot", sim_cmd_boot, "reset: run the boot engine, optionally cutting power mid-way"},
    {"show", sim_cmd_show, "print slot contents, trailer flags and journal"},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

/* see tools/ifu/cli.h: the helpers linked from tools/ifu report through it */
int cli_fail(int err, const char *what, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("ifu-sim: ", stderr);
    if (what != NULL) {
        fprintf(stderr, "%s: ", what);
    }
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return err;
}

static int exit_status(int err)
{
    switch (err) {
    case IFU_OK:
        return SIM_EXIT_OK;
    case SIM_ECUT:
        return SIM_EXIT_CUT;
    case IFU_EINVAL:
    case IFU_ENOSPC:
    case IFU_EUNSUPPORTED:
    case IFU_ELAYOUT:
        return SIM_EXIT_USAGE;
    case IFU_EIO:
    case IFU_ENOKEY:
        return SIM_EXIT_IO;
    case IFU_ECRYPTO:
        return SIM_EXIT_CRYPTO;
    default:
        /* IFU_ENOIMAGE, IFU_ESTATE, CLI_EREJECT and image verdicts. */
        return SIM_EXIT_REFUSED;
    }
}

static void print_help(FILE *out)
{
    fprintf(out,
            "usage: ifu-sim <command> --flash FILE [options] [arguments]\n"
            "\n"
            "A simulated device (%s boot mode) whose flash lives in FILE.\n"
            "\n"
            "commands:\n",
            sim_mode_name(ifu_boot_mode()));
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    }
    fputs("  help      this text, or `ifu-sim help <command>` for one command\n"
          "\n"
          "`ifu-sim <command> --help` describes each command. Exit status: 0 success (boot: an\n"
          "image boots), 1 refused (no bootable image, not valid in this state), 2 usage error,\n"
          "3 file or key error, 4 crypto failure, 5 power cut (docs/SIM.md).\n",
          out);
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

static int finish(int err)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (err == 0) {
            err = cli_fail(IFU_EIO, "stdout", "write failed");
        }
    }
    return exit_status(err);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return SIM_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
        print_help(stdout);
        return finish(0);
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            print_help(stdout);
            return finish(0);
        }
        const struct command *cmd = find_command(argv[2]);
        if (cmd == NULL) {
            return finish(cli_fail(IFU_EINVAL, argv[2], "no such command (try `ifu-sim help`)"));
        }
        char help_opt[] = "--help";
        char *sub_argv[] = {argv[2], help_opt, NULL};
        return finish(cmd->run(2, sub_argv));
    }
    const struct command *cmd = find_command(name);
    if (cmd == NULL) {
        return finish(cli_fail(IFU_EINVAL, name, "no such command (try `ifu-sim help`)"));
    }
    return finish(cmd->run(argc - 1, argv + 1));
}
