# The SMP serial transport example end to end (examples/smp_uart, docs/SMP.md):
# `ifu smp` drives `smp_device` through a pseudo-terminal pair (openpty(3) in the
# device); upload, list, test, reset into the trial, confirm, reset; a tampered
# upload refused; and the upload overhead at MTU 128/256/512/2048 (label smp).
# smp_device is defined later (examples/ comes after tests/): generator
# expressions resolve its path at generate time.
if(IFU_BUILD_TOOLS AND TARGET ifu_cli AND TARGET ifu_sim_cli AND
   EXISTS ${IFU_ROOT}/examples/smp_uart/CMakeLists.txt)
    add_test(NAME smp_uart_e2e
             COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/smp/test_smp_uart.sh
                     $<TARGET_FILE:ifu_cli> $<TARGET_FILE:ifu_sim_cli> $<TARGET_FILE:smp_device>
                     ${CMAKE_CURRENT_BINARY_DIR}/smp-scratch)
    set_tests_properties(smp_uart_e2e PROPERTIES LABELS "smp;transport" TIMEOUT 60)
endif()
