# The Cortex-M demo on QEMU mps2-an386 (scripts/qemu-demo.sh, docs/QEMU.md), label qemu:
# the MPU probe (bootloader, keystore and counter locked), then v1 -> v2 over SMP on the emulated
# UART, confirm, security counter 2, v3 reverted (counter unmoved), tampered and downgraded
# images refused, an image of a lower security counter refused by the update API and by the
# bootloader. It makes its own cross build in qemu/ of this build tree,
# with the ifu tool of this build. Skipped (exit 77, with a message) without qemu-system-arm or
# arm-none-eabi-gcc.
# qemu_plugin_cuts (label qemu): steps [1] and [2], then exact power cuts with the flashcut TCG
# plugin (tools/qemu-plugins/): QEMU killed right after the K-th flash store of the boot that
# swaps v2 in and confirms it, for 20 K spread evenly (seed 1) over all of them (the first and the
# last store among them), each restarted and checked to finish the update. About a minute with
# a warm cross build; --plugin-cuts all (every store) is for a manual run (docs/QEMU.md).
# qemu_powerloss (label powerloss only, so that -L qemu stays quick; -R qemu runs all): the
# demo, then QEMU killed (SIGKILL) at 50 seeded random instants during downloads and swaps.
# About 10 minutes, so only with -DIFU_QEMU_POWERLOSS=ON (the default test run stays short).
option(IFU_QEMU_POWERLOSS "Register qemu_powerloss (about 10 minutes)" OFF)
if(IFU_BUILD_TOOLS AND TARGET ifu_cli AND NOT CMAKE_CROSSCOMPILING)
    add_test(NAME qemu_demo
             COMMAND bash ${IFU_ROOT}/scripts/qemu-demo.sh --ifu $<TARGET_FILE:ifu_cli>
                     --workdir ${CMAKE_CURRENT_BINARY_DIR}/qemu)
    set_tests_properties(qemu_demo PROPERTIES LABELS "qemu" SKIP_RETURN_CODE 77 TIMEOUT 900
                         RESOURCE_LOCK qemu_build ENVIRONMENT "IFU_DEPS_DIR=${IFU_DEPS_DIR}")
    add_test(NAME qemu_plugin_cuts
             COMMAND bash ${IFU_ROOT}/scripts/qemu-demo.sh --ifu $<TARGET_FILE:ifu_cli>
                     --workdir ${CMAKE_CURRENT_BINARY_DIR}/qemu
                     --flashcut $<TARGET_FILE:ifu_qemu_flashcut> --plugin-cuts 20 --seed 1)
    set_tests_properties(qemu_plugin_cuts PROPERTIES LABELS "qemu" SKIP_RETURN_CODE 77
                         TIMEOUT 900 RESOURCE_LOCK qemu_build
                         ENVIRONMENT "IFU_DEPS_DIR=${IFU_DEPS_DIR}")
endif()
if(IFU_QEMU_POWERLOSS AND IFU_BUILD_TOOLS AND TARGET ifu_cli AND NOT CMAKE_CROSSCOMPILING)
    add_test(NAME qemu_powerloss
             COMMAND bash ${IFU_ROOT}/scripts/qemu-demo.sh --ifu $<TARGET_FILE:ifu_cli>
                     --workdir ${CMAKE_CURRENT_BINARY_DIR}/qemu --powerloss 50 --seed 1)
    set_tests_properties(qemu_powerloss PROPERTIES LABELS "powerloss" SKIP_RETURN_CODE 77
                         TIMEOUT 3600 RESOURCE_LOCK qemu_build
                         ENVIRONMENT "IFU_DEPS_DIR=${IFU_DEPS_DIR}")
endif()
