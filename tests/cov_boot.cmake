# The boot engine's coverage sweeps (tests/test_cov_boot_sweeps.c, registered by tests/boot.cmake)
# put a keystore on the failing part too: they need the keystore helpers of tests/keys.cmake.
if(TARGET ifu_tu_keys)
    foreach(mode overwrite swap xip)
        target_link_libraries(test_cov_boot_sweeps_${mode} PRIVATE ifu_tu_keys)
    endforeach()
endif()
