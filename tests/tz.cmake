# TrustZone isolation on QEMU mps2-an505 (scripts/tz-demo.sh, docs/PORTING.md "TrustZone on
# mps2-an505"), labels qemu and tz: cross-builds libifu (P-256 via p256-m) for the Cortex-M33,
# links it into the Secure image of examples/tz, signs the Non-secure application with the
# host `ifu` and provisions its keystore page with `ifu provision`, and in tz/ of this build tree
# runs QEMU once per probe: the Secure image verifies and starts the signed application against
# the keystore and the anti-rollback counter in its Secure flash; the PSA FWU gateways answer a
# query and the stored counter, take a streamed update (a tampered copy and an old security
# epoch refused, a staged one rejected), the swap engine's trials through the gateways (accepted:
# the counter moves at the next boot only; rejected in TRIAL and never accepted: reverted); each
# forbidden access (Secure RAM, Secure code, a non-SG entry, the same through the Non-secure
# alias, the keystore page and the counter ring, and a Secure store after the lock) faults
# with the expected SecureFault/BusFault/MemManage status. 16 s from a fresh configure on a
# busy 2-core machine (the swap build, 17 QEMU runs), 7.5 s with the cross build done. Skipped (exit 77, with a message) without
# qemu-system-arm or arm-none-eabi-gcc.
if(NOT CMAKE_CROSSCOMPILING AND IFU_BUILD_TOOLS AND TARGET ifu_cli)
    add_test(NAME qemu_tz
             COMMAND bash ${IFU_ROOT}/scripts/tz-demo.sh --ifu $<TARGET_FILE:ifu_cli>
                     --workdir ${CMAKE_CURRENT_BINARY_DIR}/tz)
    set_tests_properties(qemu_tz PROPERTIES LABELS "qemu;tz" SKIP_RETURN_CODE 77 TIMEOUT 120
                         ENVIRONMENT "IFU_DEPS_DIR=${IFU_DEPS_DIR}")
endif()
