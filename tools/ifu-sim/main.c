/* ifu-sim: a device whose flash lives in a file, driven from the command
 * line: factory-program an image, stage an update, request it, reset (run the
 * boot engine, optionally cutting the power at a chosen flash operation),
 * confirm, look at the slots. docs/SIM.md is the user's manual.
 *
 * main() picks the command; each command parses its own options and returns
 * 0 or a negative code after printing its one line of complaint; the code
 * becomes the exit status here. */
#include <stdio.h>

#include "sim_cli.h"

static const struct cli_command commands[] = {
    {"init", sim_cmd_init, "create an erased flash file for a layout"},
    {"flash", sim_cmd_flash, "factory-program an image into the primary slot"},
    {"stage", sim_cmd_stage, "write an update into the secondary slot (the application's job)"},
    {"request", sim_cmd_request, "ask for the staged image at the next reset: test|permanent"},
    {"confirm", sim_cmd_confirm, "declare the running image good"},
    {"state", sim_cmd_state, "print the boot state the application sees"},
    {"boot", sim_cmd_boot, "reset: run the boot engine, optionally cutting power mid-way"},
    {"show", sim_cmd_show, "print slot contents, trailer flags and journal"},
};

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

static void print_help(FILE *out);

static const struct cli_tool tool = {
    .name = "ifu-sim",
    .commands = commands,
    .count = sizeof commands / sizeof commands[0],
    .help = print_help,
    .exit_status = exit_status,
    .version = NULL,
};

static void print_help(FILE *out)
{
    fprintf(out,
            "usage: ifu-sim <command> --flash FILE [options] [arguments]\n"
            "\n"
            "A simulated device (%s boot mode) whose flash lives in FILE.\n"
            "\n"
            "commands:\n",
            sim_mode_name(ifu_boot_mode()));
    cli_list_commands(out, &tool, 9);
    fputs("  help      this text, or `ifu-sim help <command>` for one command\n"
          "\n"
          "`ifu-sim <command> --help` describes each command. Exit status: 0 success (boot: an\n"
          "image boots), 1 refused (no bootable image, not valid in this state), 2 usage error,\n"
          "3 file or key error, 4 crypto failure, 5 power cut (docs/SIM.md).\n",
          out);
}

int main(int argc, char **argv)
{
    return cli_main(&tool, argc, argv);
}
