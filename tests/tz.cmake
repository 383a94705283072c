# TrustZone isolation on QEMU mps2-an505 (scripts/tz-demo.sh, docs/PORTING.md "TrustZone on
# mps2-an505"), labels qemu and tz: builds the Secure image and the Non-secure application of
# examples/tz with arm-none-eabi-gcc in tz/ of this build tree, calls the Secure gateway, and
# checks that each forbidden Non-secure access (Secure RAM, Secure code, a non-SG entry, and
# the same through the Non-secure alias) faults with the expected SecureFault/BusFault status.
# A few seconds. Skipped (exit 77, with a message) without qemu-system-arm or arm-none-eabi-gcc.
if(NOT CMAKE_CROSSCOMPILING)
    add_test(NAME qemu_tz
             COMMAND bash ${IFU_ROOT}/scripts/tz-demo.sh --workdir ${CMAKE_CURRENT_BINARY_DIR}/tz)
    set_tests_properties(qemu_tz PROPERTIES LABELS "qemu;tz" SKIP_RETURN_CODE 77 TIMEOUT 120)
endif()
