# Coverage tests of the update API and the PSA Firmware Update façade that need the boot
# engine: one program per boot mode (docs/QUALITY.md, coverage). Named test_covm_* so that the
# test_cov_* pattern of tests/CMakeLists.txt, which links no boot engine, leaves them alone.
if(COMMAND ifu_add_boot_test AND TARGET ifu_tu_keys)
    ifu_add_boot_test(NAME test_covm_update SOURCE test_covm_update.c LABELS "coverage")
    foreach(mode overwrite swap xip)
        target_link_libraries(test_covm_update_${mode} PRIVATE ifu_tu_keys)
    endforeach()
endif()
