# Fault-injection simulation (docs/SECURITY.md §5). The device sources are
# compiled a second time, with -DIFU_FAULT_TEST, into an object library per
# boot mode: there every guarded comparison calls the test's ifu_fault_hook().
# The production libraries (ifu, ifu_boot_<mode>) are not touched; in them the
# hook compiles away. The test objects define every symbol of libifu.a, so the
# copy of it that the support libraries pull in adds nothing.
if(NOT TARGET ifu_tu_image)
    return()
endif()
set(ifu_fault_sources
    ${IFU_ROOT}/src/errors.c
    ${IFU_ROOT}/src/flash.c
    ${IFU_ROOT}/src/image_parse.c
    ${IFU_ROOT}/src/image_verify.c
    ${IFU_ROOT}/src/crypto_util.c
    ${IFU_ROOT}/src/crypto_mbedtls.c
    ${IFU_ROOT}/src/crypto_ed25519_sodium.c
    ${IFU_ROOT}/src/boot_common.c
    ${IFU_ROOT}/src/boot_journal.c)
foreach(mode overwrite swap xip)
    add_library(ifu_fault_dev_${mode} OBJECT ${ifu_fault_sources} ${IFU_ROOT}/src/boot_${mode}.c)
    set_target_properties(ifu_fault_dev_${mode} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON
                          C_EXTENSIONS OFF)
    target_compile_definitions(ifu_fault_dev_${mode} PUBLIC IFU_FAULT_TEST)
    target_compile_options(ifu_fault_dev_${mode} PRIVATE ${IFU_WARNINGS})
    target_include_directories(ifu_fault_dev_${mode} PUBLIC ${IFU_ROOT}/include)
    target_link_libraries(ifu_fault_dev_${mode} PUBLIC ifu_mbedtls ifu_sodium)

    set(target test_fault_${mode})
    add_executable(${target} test_fault.c support/tu_boot.c)
    set_target_properties(${target} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                          C_EXTENSIONS OFF)
    target_compile_options(${target} PRIVATE ${IFU_WARNINGS})
    target_include_directories(${target} PRIVATE ${IFU_ROOT}/src)
    target_link_libraries(${target} PRIVATE ifu_fault_dev_${mode} ifu_tu_image ifu_sim
                          ifu_testutil PkgConfig::CMOCKA)
    add_test(NAME ${target} COMMAND ${target})
    set_tests_properties(${target} PROPERTIES LABELS "fault" SKIP_RETURN_CODE 77)
endforeach()
