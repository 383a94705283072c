# The PSA Certified Firmware Update API façade (include/psa/update.h,
# docs/PSA-FWU.md), one program per boot mode, with images signed at run time
# by the project's CLI (tests/support/tu_image.c, built by boot.cmake) over the
# simulator.
if(TARGET ifu_cli AND TARGET ifu_tu_image)
    foreach(mode overwrite swap xip)
        set(target test_psa_fwu_${mode})
        ifu_add_test(NAME ${target} SOURCES test_psa_fwu.c support/tu_boot.c LABELS "update")
        set_target_properties(${target} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                              C_EXTENSIONS OFF)
        target_link_libraries(${target} PRIVATE ifu_tu_image ifu_boot_${mode} ifu_sim)
        set_tests_properties(${target} PROPERTIES TIMEOUT 120)
    endforeach()
endif()
