# Tests of the QEMU TCG plugins (tools/qemu-plugins/), label "qemu;plugins". Included from
# tools/qemu-plugins/CMakeLists.txt. The guest (qemu_plugins/guest.S) is assembled with
# arm-none-eabi-gcc; without it the tests are not registered, without qemu-system-arm they skip.
find_program(IFU_ARM_GCC arm-none-eabi-gcc)
find_program(IFU_ARM_NM arm-none-eabi-nm)
find_program(IFU_QEMU_ARM qemu-system-arm)
if(NOT IFU_ARM_GCC OR NOT IFU_ARM_NM)
    message(STATUS "qemu plugin tests: arm-none-eabi-gcc not found, not registered")
    return()
endif()
if(NOT IFU_QEMU_ARM)
    set(IFU_QEMU_ARM qemu-system-arm-not-found) # run.sh skips
endif()

set(guest_src ${IFU_ROOT}/tests/qemu_plugins/guest.S)
set(guest_elf ${CMAKE_CURRENT_BINARY_DIR}/plugin_guest.elf)
add_custom_command(OUTPUT ${guest_elf}
    COMMAND ${IFU_ARM_GCC} -mcpu=cortex-m4 -mthumb -nostdlib -nostartfiles
            -Wl,--section-start=.vectors=0 -Wl,-Ttext=0x100 -Wl,-e,reset -o ${guest_elf} ${guest_src}
    DEPENDS ${guest_src}
    COMMENT "Assembling the plugin test guest")
add_custom_target(ifu_qemu_plugin_guest ALL DEPENDS ${guest_elf})

foreach(case insncount flashcut-count flashcut-cut bad-args)
    add_test(NAME qemu_plugin_${case}
             COMMAND bash ${IFU_ROOT}/tests/qemu_plugins/run.sh ${case} ${IFU_QEMU_ARM}
                     $<TARGET_FILE_DIR:ifu_qemu_flashcut> ${guest_elf} ${IFU_ARM_NM}
                     ${CMAKE_CURRENT_BINARY_DIR}/plugin-test-${case})
    set_tests_properties(qemu_plugin_${case} PROPERTIES LABELS "qemu;plugins" TIMEOUT 120
                         SKIP_RETURN_CODE 77)
endforeach()
