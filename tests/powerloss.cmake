# The boot engine's power-loss matrix (tests/pl_boot.c), one program per mode.
# Default: a covering set of geometries; IFU_PL_FULL=1 runs the full cross
# product. A failing case prints the command line that reruns it alone.
if(TARGET ifu_tu_image)
    ifu_add_boot_test(NAME test_powerloss SOURCE pl_boot.c LABELS "powerloss")
    foreach(mode overwrite swap xip)
        set_tests_properties(test_powerloss_${mode} PROPERTIES TIMEOUT 900)
    endforeach()
endif()
