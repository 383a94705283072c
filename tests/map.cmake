# Memory-mapped flash (struct ifu_flash.map, docs/DESIGN.md §7.1): label "map".
#   test_map_<mode>                 tests/test_map.c: ifu_area_map, the verifier over a guarded
#                                   mapping, the boot engine mapped vs copying
#   test_boot_mapped_<mode>         the whole boot test program with every rig mapped
#   test_powerloss_swap_mapped      the swap power-loss matrix with the flash mapped, cutting at
#                                   every 5th flash operation (IFU_PL_SAMPLE): the mapping changes
#                                   how slots are read, not what is written, and every write and
#                                   erase is cut in the unmapped run (test_powerloss_swap)
if(NOT TARGET ifu_tu_image)
    return()
endif()
ifu_add_boot_test(NAME test_map SOURCE test_map.c LABELS "map")
foreach(mode overwrite swap xip)
    add_test(NAME test_boot_mapped_${mode} COMMAND test_boot_${mode})
    set_tests_properties(test_boot_mapped_${mode} PROPERTIES LABELS "map;boot"
                         ENVIRONMENT "IFU_TEST_FLASH_MAPPED=1" SKIP_RETURN_CODE 77)
endforeach()
add_test(NAME test_powerloss_swap_mapped COMMAND test_powerloss_swap)
set_tests_properties(test_powerloss_swap_mapped PROPERTIES LABELS "map;powerloss"
                     ENVIRONMENT "IFU_TEST_FLASH_MAPPED=1;IFU_PL_SAMPLE=5" TIMEOUT 900 SKIP_RETURN_CODE 77)
